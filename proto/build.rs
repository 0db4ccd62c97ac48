//! Compiles `proto/` with protox (pure Rust: no system protoc) and generates prost types plus
//! pbjson serde impls that keep the proto field names, so payloads are snake_case JSON.
use std::{env, path::PathBuf};

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = ["proto/nbaprops/v1/contracts.proto"];
    for p in &protos {
        println!("cargo:rerun-if-changed={p}");
    }
    let out = PathBuf::from(env::var("OUT_DIR")?);
    let fds = protox::compile(protos, ["proto"])?;
    let descriptor_bytes = fds.encode_to_vec();
    std::fs::write(out.join("descriptors.bin"), &descriptor_bytes)?;

    prost_build::Config::new().out_dir(&out).compile_fds(fds)?;

    // Unknown fields are ignored: a signal or an activity input from a newer (or older) side
    // of a rolling deployment decodes, instead of failing the task that reads it.
    pbjson_build::Builder::new()
        .register_descriptors(&descriptor_bytes)?
        .preserve_proto_field_names()
        .ignore_unknown_fields()
        .out_dir(&out)
        .build(&[".nbaprops"])?;
    Ok(())
}
