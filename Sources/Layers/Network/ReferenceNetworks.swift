/// The inner networks of the reference's configurations (`network.py`), as specs.
public enum ReferenceNetworks {
    /// Flying shapes, 28×28×1 binary input: conv32 elu LN → conv64 elu LN → fc512 elu LN;
    /// RNN 100 with LN; fc512 relu LN → fc 7·7·64 relu LN → r_conv32 relu LN → r_conv1 `*`.
    public static let flyingShapes = (
        encoder: [LayerSpec.reshape([28, 28, 1]),
                  .conv(32, act: .elu, ln: true), .conv(64, act: .elu, ln: true),
                  .flatten, .fc(512, act: .elu, ln: true)],
        recurrent: LayerSpec.rnn(100, ln: true),
        decoder: [LayerSpec.fc(512, act: .relu, ln: true), .fc(7 * 7 * 64, act: .relu, ln: true),
                  .reshape([7, 7, 64]),
                  .resizeConv(32, act: .relu, ln: true), .resizeConv(1, act: .output),
                  .flatten]
    )

    /// Static shapes RNN-EM, 28×28×1 binary input: no encoder; RNN 250 without LN; fc 784 `*`.
    public static let staticShapes = (
        encoder: [LayerSpec](),
        recurrent: LayerSpec.rnn(250),
        decoder: [LayerSpec.fc(784, act: .output)]
    )

    /// Flying MNIST, 24×24×1 grey input.
    public static let flyingMNIST = (
        encoder: [LayerSpec.inputNorm, .reshape([24, 24, 1]),
                  .conv(32, act: .elu, ln: true), .conv(64, act: .elu, ln: true), .conv(128, act: .elu, ln: true),
                  .flatten, .fc(512, act: .elu, ln: true)],
        recurrent: LayerSpec.rnn(250, ln: true),
        decoder: [LayerSpec.fc(512, act: .relu, ln: true), .fc(3 * 3 * 128, act: .relu, ln: true),
                  .reshape([3, 3, 128]),
                  .resizeConv(64, act: .relu, ln: true), .resizeConv(32, act: .relu, ln: true),
                  .resizeConv(1, act: .output), .flatten]
    )
}
