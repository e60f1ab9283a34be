extension PipelineConfig {
    /// Every key of `pipeline.yaml`, in the order it is printed. Adding a key is one line here
    /// (and a property in `PipelineConfig`); loading, overrides, validation, `--print-config`
    /// and the README table follow from it.
    static var keys: [ConfigKey] {
        [
            ConfigKey("input.path", \.input.path, .optional(.path),
                      "Video file to read, or \"-\" for stdin; null: given on the command line (nem track INPUT)."),
            ConfigKey("input.raw.size", \.input.rawSize, .optional(.size),
                      "Frames are raw, uncompressed, of this size (e.g. 640x480); null: the input is a container (mp4, mkv, y4m, nut, ...)."),
            ConfigKey("input.raw.pixel_format", \.input.rawPixelFormat, .choice,
                      "Pixel format of raw frames."),
            ConfigKey("input.raw.fps", \.input.rawFramesPerSecond, .number(0...1000, openBelow: true),
                      "Frame rate of raw frames."),

            ConfigKey("preparation.binarize", \.preparation.binarize, .choice,
                      "auto: Otsu's threshold from the first frames, then fixed; threshold: preparation.threshold; otsu: Otsu on every frame."),
            ConfigKey("preparation.threshold", \.preparation.threshold, .number(0...1, openBelow: true),
                      "Fixed threshold as a fraction of full intensity (binarize: threshold)."),
            ConfigKey("preparation.invert", \.preparation.invert, .boolean,
                      "Objects are dark on a light background."),
            ConfigKey("preparation.max_input_size", \.preparation.maxInputSize, .integer(16...65536),
                      "Refuse frames whose longer side exceeds this many pixels."),

            ConfigKey("tracker.model", \.tracker.model, .path,
                      "The model (.safetensors); it carries its network, K and input size."),
            ConfigKey("tracker.components", \.tracker.components, .optional(.integer(1...32)),
                      "K, the number of components (at most the model's); null: the model's K."),
            ConfigKey("tracker.em_steps_per_frame", \.tracker.emStepsPerFrame, .integer(1...100),
                      "EM steps run on each frame."),
            ConfigKey("tracker.warmup_steps", \.tracker.warmupSteps, .optional(.integer(0...1000)),
                      "Extra EM steps run on the first frame (and after each reset) before tracking goes on, so that the first frames are grouped as well as later ones; 0: none, as batch evaluation; null: the model's (model.warmup_steps, what it was trained with), 20 if it has none."),
            ConfigKey("tracker.restarts", \.tracker.restarts, .optional(.integer(1...64)),
                      "Random starts tried on the first frame (and after each reset); the one whose warm-up explains the frame best is kept; null: the model's."),
            ConfigKey("tracker.restart_scope", \.tracker.restartScope, .optional(.choice),
                      "first_frame: the restarts end on the first frame; sequence: all go on, each on its own noisy copy of every frame, and each frame is labelled by the one that explains it best (R times the work per frame); null: the model's."),
            ConfigKey("tracker.threads", \.tracker.threads, .integer(1...256),
                      "Threads for the tracker's matrix products (OpenBLAS and the engine's loops); 1 is fastest for one stream of small frames, where the other stages use the other cores."),
            ConfigKey("tracker.scene_cut", \.tracker.sceneCutThreshold, .optional(.number(0...1, openBelow: true)),
                      "Reset the tracker when this fraction of pixels changes between two frames; null: never."),

            ConfigKey("output.path", \.output.path, .optional(.path),
                      "The video to write; null: beside the input's name (video.mp4 -> video-tracked.mp4)."),
            ConfigKey("output.mode", \.output.mode, .choice,
                      "segmentation: a colour per object; overlay: colours blended on the input; side-by-side: input | binarized | prediction | segmentation."),
            ConfigKey("output.codec", \.output.codec, .choice,
                      "Video codec; auto: from the container (mp4/mov: h264, mkv: ffv1, webm: vp9, gif: gif, avi: mpeg4)."),
            ConfigKey("output.container", \.output.container, .choice,
                      "Container; auto: from output.path's extension."),
            ConfigKey("output.crf", \.output.crf, .integer(0...63),
                      "Constant rate factor: lower is better quality and larger files (h264: 0-51, 23 is its default)."),
            ConfigKey("output.preset", \.output.preset, .choice,
                      "Encoder speed against compression (h264, hevc)."),
            ConfigKey("output.overwrite", \.output.overwrite, .boolean,
                      "Replace existing outputs; otherwise an existing output is an error."),
            ConfigKey("output.masks", \.output.masks, .optional(.path),
                      "Directory for per-frame label masks (00000.png, ...: 0 background, 1..K objects); null: none."),
            ConfigKey("output.tracks", \.output.tracks, .optional(.path),
                      "File for the tracks, MOT Challenge format (frame, id, box, confidence); null: none."),

            ConfigKey("queues.prepare", \.queues.prepare, .integer(1...1024),
                      "Decoded frames waiting for preparation."),
            ConfigKey("queues.track", \.queues.track, .integer(1...1024),
                      "Prepared frames waiting for the tracker."),
            ConfigKey("queues.render", \.queues.render, .integer(1...1024),
                      "Tracked frames waiting for rendering."),
            ConfigKey("queues.write", \.queues.write, .integer(1...1024),
                      "Rendered frames waiting for the encoder."),
            ConfigKey("queues.masks", \.queues.masks, .integer(1...1024),
                      "Tracked frames waiting for the mask writer."),
            ConfigKey("queues.tracks", \.queues.tracks, .integer(1...1024),
                      "Tracked frames waiting for the tracks writer."),

            ConfigKey("progress.display", \.progress.display, .choice,
                      "auto: a progress bar on a terminal, plain lines otherwise; none: silent (--quiet)."),
            ConfigKey("progress.interval", \.progress.interval, .number(0.1...3600),
                      "Seconds between plain progress lines."),
            ConfigKey("progress.stats", \.progress.stats, .boolean,
                      "Print per-stage statistics at the end (--stats): frames, busy time, time blocked on input and output."),
        ]
    }

    /// The comment above each section.
    static let sectionDocs: [String: String] = [
        "input": "Where frames come from.",
        "input.raw": "Raw frames (no container), e.g. piped from another program.",
        "preparation": "Frames become the model's input: grey, scaled to the model's input size (taken from the model), binarized.",
        "tracker": "RNN-EM tracking: θ, ψ and γ are carried from frame to frame.",
        "output": "What is written. Outputs go to a temporary name and are renamed when complete.",
        "queues": "Capacity of the queue in front of each stage; a full queue blocks the stage before it, so memory stays flat.",
        "progress": "What `nem track` prints while it runs.",
    ]
}
