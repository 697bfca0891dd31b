//! Compiles `proto/ember.proto` with protox (a protobuf compiler in Rust, so no `protoc` is
//! needed) and generates the prost messages and tonic services.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = "proto/ember.proto";
    println!("cargo:rerun-if-changed={file}");
    let descriptors = protox::compile([file], ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(descriptors)?;
    Ok(())
}
