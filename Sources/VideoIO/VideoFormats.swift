internal import CFFmpeg

/// What `VideoWriter` would choose and what FFmpeg's muxers can hold, for checking a configuration
/// before anything is opened (so the checks and the writer cannot disagree).
public enum VideoFormats {
    /// The encoder `VideoWriter` picks for a file extension when no codec is given (`mp4` → `libx264`),
    /// nil where it leaves the choice to the container's default.
    public static func defaultEncoder(forExtension fileExtension: String) -> String? {
        EncoderChoice.byExtension[fileExtension.lowercased()]?.encoder
    }

    /// Whether FFmpeg's muxer `container` (`mp4`, `matroska`, `webm`, …) can hold video from the encoder
    /// or codec named `codec` (`libx264`, `hevc`, …); true when this FFmpeg knows either name not at all,
    /// so that opening the writer reports what is missing.
    public static func canHold(container: String, codec: String) -> Bool {
        guard let format = av_guess_format(container, nil, nil),
              let encoder = avcodec_find_encoder_by_name(codec) ?? EncoderChoice.encoderByCodecName(codec) else { return true }
        return holds(format, encoder)
    }

    /// Muxers without a tag table (FFmpeg cannot answer for them) that take nothing but their own codec.
    private static let singleCodecMuxers: Set<String> = ["gif", "apng"]

    /// FFmpeg's answer; where it cannot tell (no tag table: mpegts, gif, …), a muxer holds anything
    /// except the single-codec ones, which hold only their default codec.
    static func holds(_ format: UnsafePointer<AVOutputFormat>, _ encoder: UnsafePointer<AVCodec>) -> Bool {
        let answer = avformat_query_codec(format, encoder.pointee.id, FF_COMPLIANCE_NORMAL)
        guard answer < 0 else { return answer > 0 }
        return encoder.pointee.id == format.pointee.video_codec
            || !singleCodecMuxers.contains(String(cString: format.pointee.name))
    }
}
