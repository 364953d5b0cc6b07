// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "rotate-credential",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rotate-credential", targets: ["RotateCredential"]),
        .library(name: "RotateCredentialCore", targets: ["RotateCredentialCore"]),
    ],
    targets: [
        // libcurl's headers (Debian: libcurl4-openssl-dev; RHEL: libcurl-devel), not its library: no
        // pkg-config, which would link libcurl and have the loader map it (and OpenSSL) at every start.
        .systemLibrary(name: "CCurl"),
        // Loads libcurl.so.4 on first use and calls it: plain and typed wrappers (Swift cannot call
        // libcurl's variadic setopt/getinfo).
        .target(name: "CurlShim", dependencies: ["CCurl"]),
        // All logic: inputs, pipeline output, HTTP, identity, service clients, plans and actions.
        .target(name: "RotateCredentialCore", dependencies: ["CCurl", "CurlShim"]),
        // The thin executable: wires the process environment, stdout, clock and libcurl into the core.
        .executableTarget(
            name: "RotateCredential", dependencies: ["RotateCredentialCore"],
            // The static Swift runtime calls hypotf, whose default version needs glibc 2.35; the
            // shim's __wrap_hypotf keeps the floor at glibc 2.34 (RHEL 9, Amazon Linux 2023).
            linkerSettings: [.unsafeFlags(["-Xlinker", "--wrap=hypotf"], .when(platforms: [.linux]))]),
        .testTarget(
            name: "RotateCredentialCoreTests",
            dependencies: ["RotateCredentialCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
