#!/usr/bin/env python3
"""Memory stays flat: resident memory of `nem track` after 1,000 and after 20,000 frames piped on stdin.

    python3 scripts/measure_memory.py --model samples/models/flying-shapes.safetensors [--frames 20000] [--early 1000]

ffmpeg loops samples/flying-shapes.mp4 as raw grey 280x280 frames into `nem track - --raw 280x280`;
the progress lines (every 0.5 s) tell how many frames are done, and VmRSS is read from /proc at
that moment. The target is a difference below 10% between the two readings.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="samples/models/flying-shapes.safetensors")
    parser.add_argument("--frames", type=int, default=20000)
    parser.add_argument("--early", type=int, default=1000)
    parser.add_argument("--nem", default=".build/release/nem")
    parser.add_argument("--video", default="samples/flying-shapes.mp4")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        config = os.path.join(work, "pipeline.yaml")
        with open(config, "w") as f:
            f.write(f"tracker:\n  model: {os.path.abspath(args.model)}\nprogress:\n  display: lines\n  interval: 0.5\n")
        producer = subprocess.Popen(
            ["ffmpeg", "-nostdin", "-v", "error", "-stream_loop", "-1", "-i", args.video, "-frames:v", str(args.frames),
             "-f", "rawvideo", "-pix_fmt", "gray", "-"], stdout=subprocess.PIPE)
        tracker = subprocess.Popen(
            [args.nem, "track", "-", "--config", config, "--raw", "280x280", "--pix-fmt", "gray", "--fps", "25",
             "-o", os.path.join(work, "out.mp4")],
            stdin=producer.stdout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        producer.stdout.close()
        readings = []  # (frames done, VmRSS KiB)
        for line in tracker.stderr:
            match = re.match(r"tracking: (\d+)", line)
            if not match:
                sys.stderr.write(line)
                continue
            rss = rss_kib(tracker.pid)
            if rss is not None:
                readings.append((int(match.group(1)), rss))
        tracker.wait()
        producer.wait()
        if tracker.returncode != 0 or not readings:
            sys.exit(f"measure_memory: nem track failed (exit {tracker.returncode})")
        early = next((r for r in readings if r[0] >= args.early), readings[0])
        late = readings[-1]
        change = 100.0 * (late[1] - early[1]) / early[1]
        print(f"VmRSS after {early[0]} frames: {early[1] / 1024:.1f} MiB")
        print(f"VmRSS after {late[0]} frames: {late[1] / 1024:.1f} MiB")
        print(f"difference {change:+.1f}% (target below 10%): {'met' if abs(change) < 10 else 'NOT met'}")
        print("all readings (frames: MiB): " + ", ".join(f"{n}: {kib / 1024:.1f}" for n, kib in readings[:: max(1, len(readings) // 12)]))


if __name__ == "__main__":
    main()
