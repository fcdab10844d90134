//! Build script: lets napi-build set the linker flags a Node addon needs on each platform, and on
//! macOS names the dylib after the file the package ships.
fn main() {
    napi_build::setup();
    // macOS records a dylib's install name (LC_ID_DYLIB) in the file; left alone it is the absolute
    // path the linker wrote (this machine's target/<triple>/release/deps/...). A relative name keeps
    // build folders out of the shipped binary, with the native linker and zig's alike.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("macos") {
        let arch = match std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() {
            Ok("aarch64") => "arm64",
            Ok("x86_64") => "x64",
            Ok(other) => panic!("no darwin package name for architecture {other}"),
            Err(_) => panic!("cargo did not set CARGO_CFG_TARGET_ARCH"),
        };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-install_name,@rpath/mtribes-trusted-identity.darwin-{arch}.node");
    }
}
