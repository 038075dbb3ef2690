#!/usr/bin/python3
"""Tesseract 5 against OcrForge on the same held-out words (or lines), side by side.

    bench/tesseract-words.py HELDOUT [--model MODEL] [--threads N] [--repeat K] [--rounds R] [--psm 8|7]
                             [--lexicon WORDS [--lexicon-mode only|prior]] [--json]

HELDOUT is a folder written by `ocrforge data synth --kind words|lines` (images/ and labels.csv). Tesseract runs
once, in ONE process, over a list of every image (LSTM engine, --oem 1; --psm 8, a single word, or --psm 7, a single
line when labels hold spaces), then OcrForge's `eval -m MODEL --data HELDOUT --json` over the same images. Both sides
are scored the same way here: exact, case-sensitive image accuracy, CER (edit distance over label length, summed over
the set), and images per second of the whole process (model loading and PNG decoding included). --lexicon decodes
OcrForge's side with a word list (Tesseract keeps its own built-in dictionary). Both processes are
pinned to the same first N cores (taskset), since thread options alone leave image decoding free to use every core.

Speed, steady state (--repeat K, K > 1): each engine also reads the set K times over in one process, and the rate
of the extra (K - 1) passes, (K - 1) * images / (time of K passes - time of one), is reported as well: what a long
batch job or a server sees, with neither side's start-up (loading the model, JIT) counted. Tesseract may print
typographic quotes and dashes where the labels have ASCII ones; the "folded" row maps them back (OcrForge emits
only its charset, so it is unaffected).

Rounds (--rounds R, R > 1): the whole measurement, Tesseract then OcrForge, R times over, and the median of the R
ratios. A shared machine's speed drifts by 10-20 % within a minute; each ratio compares two runs made seconds apart,
and the median keeps one slow moment from deciding the result.

Only Debian's python3 standard library; tesseract-ocr is installed with apt-get when absent and we are root.
"""
import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-", "\u2013": "-",
                      "\ufb01": "fi", "\ufb02": "fl"})


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def ensure_tesseract():
    if shutil.which("tesseract"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing tesseract-ocr (Debian; English LSTM data comes with it)", file=sys.stderr)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        ok = subprocess.run("apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-eng",
                            shell=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
        if ok and shutil.which("tesseract"):
            return
    fail("tesseract is not installed and cannot be installed here (needs root and apt-get: apt-get install tesseract-ocr)")


def read_manifest(folder):
    manifest = os.path.join(folder, "labels.csv")
    if not os.path.isfile(manifest):
        fail(f"{manifest}: no such file; HELDOUT is a folder written by ocrforge data synth --kind words|lines")
    rows = []
    with open(manifest, newline="", encoding="utf-8") as f:
        for n, row in enumerate(csv.reader(f), start=1):
            if n == 1 and row == ["path", "label"]:
                continue
            if len(row) != 2:
                fail(f"{manifest}:{n}: expected two fields: path,label")
            path = os.path.join(folder, row[0])
            if not os.path.isfile(path):
                fail(f"{manifest}:{n}: {row[0]}: no such file")
            rows.append((os.path.abspath(path), row[1]))
    if not rows:
        fail(f"{manifest}: no labelled images")
    return rows


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def edit_distance(a, b):
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def score(predictions, labels):
    exact = sum(p == l for p, l in zip(predictions, labels))
    edits = sum(edit_distance(p, l) for p, l in zip(predictions, labels))
    return {"accuracy": exact / len(labels), "cer": edits / max(1, sum(len(l) for l in labels))}


def pinned(threads):
    """The command prefix that keeps a process on the first `threads` cores (nothing when taskset is missing)."""
    cores = min(threads, os.cpu_count() or threads)
    return ["taskset", "-c", f"0-{cores - 1}"] if shutil.which("taskset") else []


def steady_rate(images, repeat, one_pass_seconds, all_passes_seconds):
    """Images per second of the passes after the first, start-up excluded (None without --repeat)."""
    if repeat < 2 or all_passes_seconds <= one_pass_seconds:
        return None
    return (repeat - 1) * images / (all_passes_seconds - one_pass_seconds)


def run_tesseract(rows, psm, threads, repeat):
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    with tempfile.TemporaryDirectory(prefix="tesseract-words-") as tmp:
        def timed(passes):
            listing = os.path.join(tmp, f"list{passes}.txt")
            with open(listing, "w", encoding="utf-8") as f:
                f.writelines(p + "\n" for _ in range(passes) for p, _ in rows)
            env = dict(os.environ, OMP_THREAD_LIMIT=str(threads))
            start = time.perf_counter()
            result = subprocess.run(pinned(threads) + ["tesseract", listing, os.path.join(tmp, "out"), "--oem", "1",
                                                       "--psm", str(psm), "-l", "eng"],
                                    capture_output=True, text=True, env=env)
            seconds = time.perf_counter() - start
            if result.returncode != 0:
                fail(f"tesseract failed ({result.returncode}): {result.stderr.strip().splitlines()[-1:] or ''}")
            with open(os.path.join(tmp, "out.txt"), encoding="utf-8") as f:
                return seconds, f.read().split("\f")
        seconds, pages = timed(1)
        # Tesseract's text renderer writes its page separator (a form feed) between pages, even empty ones.
        if len(pages) != len(rows):
            fail(f"tesseract returned {len(pages)} pages for {len(rows)} images")
        steady = steady_rate(len(rows), repeat, seconds, timed(repeat)[0]) if repeat > 1 else None
    predictions = [" ".join(page.split()) for page in pages]
    return {"engine": version, "psm": psm, "threads": threads, "seconds": seconds,
            "images_per_second": len(rows) / seconds, "steady_images_per_second": steady,
            "predictions": predictions}


def run_ocrforge(folder, rows, model, threads, repeat, ocrforge, decoding):
    def timed(data):
        command = pinned(threads) + ocrforge + ["eval", "--model", model, "--data", data, "--json",
                                                "--threads", str(threads)] + decoding
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            return None, {"error": (result.stderr.strip().splitlines() or ["exit code %d" % result.returncode])[-1],
                          "command": " ".join(command)}
        return seconds, dict(json.loads(result.stdout), command=" ".join(command))
    seconds, report = timed(folder)
    if seconds is None:
        return report
    steady = steady_inference = None
    if repeat > 1:
        with tempfile.TemporaryDirectory(prefix="ocrforge-words-") as tmp:
            manifest = os.path.join(tmp, "labels.csv")
            with open(manifest, "w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(["path", "label"])
                writer.writerows(row for _ in range(repeat) for row in rows)
            all_seconds, repeated = timed(manifest)
            if all_seconds is None:
                return repeated
            steady = steady_rate(len(rows), repeat, seconds, all_seconds)
            steady_inference = repeated["images_per_second"]
    return {"model": model, "engine": report.get("engine"), "threads": threads, "seconds": seconds,
            "accuracy": report["sequence_accuracy"], "cer": report["cer"], "images": report["samples"],
            "images_per_second": report["samples"] / seconds, "steady_images_per_second": steady,
            "inference_images_per_second": report["images_per_second"],
            "inference_images_per_second_repeated": steady_inference, "command": report["command"]}


def speed_round(tess, ours):
    """One round's speeds and ratios (the steady ones None when either side has no steady rate)."""
    if "error" in ours:
        fail(f"ocrforge failed in a later round: {ours['error']}")
    steady = ours["steady_images_per_second"] and tess["steady_images_per_second"] and \
        ours["steady_images_per_second"] / tess["steady_images_per_second"]
    return {"tesseract": tess["images_per_second"], "ocrforge": ours["images_per_second"],
            "speed_ratio": ours["images_per_second"] / tess["images_per_second"],
            "tesseract_steady": tess["steady_images_per_second"], "ocrforge_steady": ours["steady_images_per_second"],
            "steady_speed_ratio": steady or None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("heldout", help="folder with images/ and labels.csv (ocrforge data synth --kind words|lines)")
    parser.add_argument("--model", "-m", help="OcrForge model (.onnx or .ocrf) to evaluate on the same images")
    parser.add_argument("--threads", type=int, default=1, help="threads for both engines (OMP_THREAD_LIMIT for tesseract; default 1)")
    parser.add_argument("--repeat", type=int, default=1, help="also read the set this many times over in one process and report the steady rate of the extra passes (default 1: no)")
    parser.add_argument("--rounds", type=int, default=1, help="measure both engines this many times, alternating, and report the median ratio (default 1)")
    parser.add_argument("--psm", type=int, choices=[7, 8], help="tesseract page segmentation: 8 word, 7 line (default: 7 when labels hold spaces)")
    parser.add_argument("--ocrforge", default=None, help="ocrforge executable (default: the Release build of this checkout, else ./ocrforge)")
    parser.add_argument("--lexicon", help="word list for OcrForge's decoding (ocrforge eval --lexicon); the list is read at start-up, outside the steady rate")
    parser.add_argument("--lexicon-mode", choices=["only", "prior"], help="ocrforge eval --lexicon-mode (default: ocrforge's)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    rows = read_manifest(args.heldout)
    labels = [l for _, l in rows]
    psm = args.psm or (7 if any(" " in l for l in labels) else 8)
    ensure_tesseract()
    if args.repeat < 1:
        fail("--repeat: expected a whole number >= 1")
    if args.rounds < 1:
        fail("--rounds: expected a whole number >= 1")
    tess = run_tesseract(rows, psm, args.threads, args.repeat)
    predictions = tess.pop("predictions")
    tess.update(score(predictions, labels))
    tess["folded"] = score([p.translate(FOLD) for p in predictions], labels)
    tess["mistakes"] = [{"path": os.path.relpath(p, args.heldout), "expected": l, "predicted": t}
                        for (p, l), t in zip(rows, predictions) if t != l][:10]

    ours = None
    rounds = []
    if args.model:
        # The built binary, not ./ocrforge (dotnet run checks the build first, seconds a timing should not hold).
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
        built = os.path.join(root, "src", "OcrForge.Cli", "bin", "Release", "net10.0", "OcrForge.Cli")
        default = built if os.path.isfile(built) else os.path.join(root, "ocrforge")
        decoding = (["--lexicon", args.lexicon] if args.lexicon else []) + \
            (["--lexicon-mode", args.lexicon_mode] if args.lexicon_mode else [])
        command = [args.ocrforge] if args.ocrforge else [default]
        ours = run_ocrforge(args.heldout, rows, args.model, args.threads, args.repeat, command, decoding)
        if "error" not in ours:
            rounds.append(speed_round(tess, ours))
            for _ in range(args.rounds - 1):
                again = run_tesseract(rows, psm, args.threads, args.repeat)
                rounds.append(speed_round(again, run_ocrforge(args.heldout, rows, args.model, args.threads,
                                                              args.repeat, command, decoding)))

    result = {"data": args.heldout, "images": len(rows), "repeat": args.repeat, "cpu": cpu_name(),
              "load": open("/proc/loadavg").read().split()[:3], "tesseract": tess, "ocrforge": ours}
    if rounds:
        result["rounds"] = rounds
        result["speed_ratio"] = statistics.median(r["speed_ratio"] for r in rounds)
        steady = [r["steady_speed_ratio"] for r in rounds if r["steady_speed_ratio"] is not None]
        if steady:
            result["steady_speed_ratio"] = statistics.median(steady)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{len(rows)} images from {args.heldout}; {args.threads} thread(s) each; exact case-sensitive match")
    print(f"{'':28} {'accuracy':>9} {'CER':>7} {'images/s':>9}")
    print(f"{'tesseract --oem 1 --psm ' + str(psm):28} {tess['accuracy']:9.2%} {tess['cer']:7.4f} {tess['images_per_second']:9.1f}   ({tess['engine']})")
    print(f"{'  quotes/dashes folded':28} {tess['folded']['accuracy']:9.2%} {tess['folded']['cer']:7.4f}")
    if ours is None:
        print(f"{'ocrforge':28} (no --model given)")
    elif "error" in ours:
        print(f"{'ocrforge':28} failed: {ours['error']}")
    else:
        print(f"{'ocrforge eval':28} {ours['accuracy']:9.2%} {ours['cer']:7.4f} {ours['images_per_second']:9.1f}   "
              f"({ours['engine']}; {ours['inference_images_per_second']:.0f} images/s inference alone)")
        if len(rounds) > 1:
            for n, r in enumerate(rounds, start=1):
                steady = (f"; steady state ocrforge {r['ocrforge_steady']:.1f}, tesseract {r['tesseract_steady']:.1f} "
                          f"images/s: {r['steady_speed_ratio']:.1f}x") if r["steady_speed_ratio"] else ""
                print(f"round {n}: whole process {r['speed_ratio']:.1f}x{steady}")
            print(f"median of {len(rounds)} rounds:")
        print(f"speed, whole process: {result['speed_ratio']:.1f}x Tesseract")
        if "steady_speed_ratio" in result:
            if len(rounds) > 1:
                print(f"speed, steady state over {args.repeat} passes: {result['steady_speed_ratio']:.1f}x")
            else:
                print(f"speed, steady state over {args.repeat} passes: ocrforge {ours['steady_images_per_second']:.1f}, "
                      f"tesseract {tess['steady_images_per_second']:.1f} images/s: {result['steady_speed_ratio']:.1f}x")
    for m in tess["mistakes"][:5]:
        print(f"  tesseract: {m['path']}: {m['expected']!r} -> {m['predicted']!r}")


if __name__ == "__main__":
    main()
