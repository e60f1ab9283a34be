// swift-tools-version:6.0
// NeuralEM: unsupervised object segmentation and tracking in video with RNN-EM.
// Module layout and the direction of imports: see README.md ("Modules").
import PackageDescription


let package = Package(
    name: "NeuralEM",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "nem", targets: ["nem"]),
        .library(name: "NeuralEMKit", targets: ["Autodiff", "Layers", "Datasets", "VideoIO", "NeuralEM", "Pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C libraries: a module map and a shim header each, nothing else.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev"])]),

        // Our one C kernel: a few rows times a large matrix with AVX2 and FMA, chosen at run time.
        .target(name: "CKernels"),
        .target(name: "Autodiff", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "Layers", dependencies: ["Autodiff"]),
        .target(name: "Datasets", dependencies: ["Autodiff", "CHDF5", "CZlib"]),
        .target(name: "VideoIO", dependencies: ["CFFmpeg"]),
        .target(name: "NeuralEM", dependencies: ["Layers", "Datasets", .product(name: "Yams", package: "Yams")]),
        .target(name: "Pipeline", dependencies: ["NeuralEM", "VideoIO", .product(name: "Yams", package: "Yams")]),
        .executableTarget(name: "nem", dependencies: [
            "Pipeline", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LayersTests", dependencies: ["Layers"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"], resources: [.copy("Fixtures")]),
        .testTarget(name: "VideoIOTests", dependencies: ["VideoIO"]),
        .testTarget(name: "NeuralEMTests", dependencies: ["NeuralEM"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline"]),
    ]
)
