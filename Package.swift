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
        // All logic: inputs, pipeline output, HTTP, identity, service clients, plans and actions.
        .target(name: "RotateCredentialCore"),
        // The thin executable: wires the process environment, stdout, clock and URLSession into the core.
        .executableTarget(name: "RotateCredential", dependencies: ["RotateCredentialCore"]),
        .testTarget(
            name: "RotateCredentialCoreTests",
            dependencies: ["RotateCredentialCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
