#!/usr/bin/env python3
"""Make an INDEPENDENT pupil reference for the gaze vision tests.

This is not our tracker's output. It runs Google's MediaPipe Face Mesh with
iris refinement (Apache-2.0), a detector that shares no code or model with
the gaze plugin, on every frame of a video and writes, per frame, the
subject's left and right iris centres, the eye corners (so the inter-ocular
distance can be computed) and an eye-aspect-ratio based open/closed flag.

Pinned tooling (install into a throwaway venv, never into the project):

    python3 -m venv /tmp/pupil-ref-venv
    /tmp/pupil-ref-venv/bin/pip install mediapipe==0.10.21 \
        opencv-contrib-python==4.11.0.86 numpy==1.26.4
    /tmp/pupil-ref-venv/bin/python Tests/Tools/make-pupil-reference.py \
        .data/feat/tests/data/single_face.mp4 \
        Tests/Fixtures/pupil-reference/single_face.json

A still image (.jpg, .png, .ppm) is one frame. Every reference of the
evaluation set (Tests/Fixtures/pupil-reference/evaluation-set.tsv) is
remade with:

    Tests/Tools/make-pupil-reference.py --all /tmp/pupil-ref-venv/bin/python

Conventions: pixel coordinates of the source image as decoded (x right,
y down; MediaPipe's normalised coordinates times width and height, which may
sit up to half a pixel from a pixel-centre convention); "left"/"right" are
the SUBJECT's, so in this unmirrored video the subject's left eye is the one
with the larger x. The frame index starts at 0.
"""
import json
import sys

import cv2
import mediapipe as mp
import numpy as np

PINNED = {"mediapipe": "0.10.21", "opencv-contrib-python": "4.11.0.86", "numpy": "1.26.4"}

# Face Mesh indices. Each tuple: outer corner, inner corner, upper lid
# pairs and lower lid pairs for an eye-aspect ratio, iris centre. Which
# eye is the subject's left is decided from the image geometry below, not
# assumed from the index tables.
EYE_A = {"outer": 33, "inner": 133, "upper": (160, 159, 158), "lower": (144, 145, 153), "iris": 468,
         "contour": (33, 160, 158, 133, 153, 144)}
EYE_B = {"outer": 263, "inner": 362, "upper": (385, 386, 387), "lower": (380, 374, 373), "iris": 473,
         "contour": (362, 385, 387, 263, 373, 380)}
# "contour" is the mesh's nearest match to dlib's six eye points in iBUG
# order (image-left corner, two upper lid points, image-right corner, two
# lower lid points), so the bench can tell frames where the two landmark
# models disagree about the eye itself and leave them out.

# An eye counts as closed when its aspect ratio falls below this share of
# the clip's median for that eye; a relative rule, so it does not depend
# on the subject's eye shape.
CLOSED_SHARE_OF_MEDIAN = 0.6
# A still image has no clip median: its eyes are judged against this typical
# open-eye ratio of the mesh (0.6 x 0.28 = 0.17; open eyes in the set's
# videos measure 0.25-0.36).
TYPICAL_OPEN_RATIO = 0.28
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".ppm")


def check_versions():
    got = {"mediapipe": mp.__version__, "opencv-contrib-python": cv2.__version__, "numpy": np.__version__}
    for name, want in PINNED.items():
        have = got[name]
        if not want.startswith(have) and have != want:
            sys.exit(f"{name} {have} found, {want} required: see the header of this script")


def eye_record(lm, eye, w, h):
    p = lambda i: np.array([lm[i].x * w, lm[i].y * h])
    outer, inner, iris = p(eye["outer"]), p(eye["inner"]), p(eye["iris"])
    vertical = np.mean([np.linalg.norm(p(u) - p(d)) for u, d in zip(eye["upper"], eye["lower"])])
    ear = float(vertical / max(np.linalg.norm(outer - inner), 1e-6))
    r = lambda v: [round(float(v[0]), 2), round(float(v[1]), 2)]
    return {"pupil": r(iris), "outer_corner": r(outer), "inner_corner": r(inner), "ear": round(ear, 4),
            "contour": [r(p(i)) for i in eye["contour"]]}


def read_frames(path):
    if path.lower().endswith(IMAGE_SUFFIXES):
        bgr = cv2.imread(path, cv2.IMREAD_COLOR)
        if bgr is None:
            sys.exit(f"cannot read {path}")
        yield bgr
        return
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        sys.exit(f"cannot open {path}")
    while True:
        ok, bgr = cap.read()
        if not ok:
            return
        yield bgr


def main(video, out_path):
    check_versions()
    mesh = mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, max_num_faces=4, refine_landmarks=True, min_detection_confidence=0.5)
    frames, width, height, index = [], 0, 0, 0
    for bgr in read_frames(video):
        height, width = bgr.shape[:2]
        result = mesh.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        faces = result.multi_face_landmarks or []
        entry = {"frame": index, "faces": len(faces), "left": None, "right": None}
        if faces:
            # The largest face is the subject.
            def span(f):
                xs = [p.x for p in f.landmark]
                return max(xs) - min(xs)
            lm = max(faces, key=span).landmark
            a, b = eye_record(lm, EYE_A, width, height), eye_record(lm, EYE_B, width, height)
            # Subject's left eye: larger x in an unmirrored image.
            entry["left"], entry["right"] = (a, b) if a["pupil"][0] > b["pupil"][0] else (b, a)
        frames.append(entry)
        index += 1

    for side in ("left", "right"):
        ears = [f[side]["ear"] for f in frames if f[side]]
        median = float(np.median(ears)) if len(ears) > 1 else TYPICAL_OPEN_RATIO
        for f in frames:
            if f[side]:
                f[side]["open"] = bool(f[side]["ear"] >= CLOSED_SHARE_OF_MEDIAN * median)

    doc = {
        "note": "INDEPENDENT reference produced by MediaPipe Face Mesh with iris refinement; "
                "not the output of the proctord gaze plugin. Left/right are the subject's.",
        "detector": {"name": "mediapipe.solutions.face_mesh (refine_landmarks=True, static_image_mode=True)",
                     "versions": PINNED},
        "source": video.split("/")[-1],
        "width": width,
        "height": height,
        "coordinates": "source pixels: MediaPipe normalised coordinates times width and height",
        "open_rule": f"eye aspect ratio >= {CLOSED_SHARE_OF_MEDIAN} x the clip median for that eye "
                     f"(a still image: x {TYPICAL_OPEN_RATIO})",
        "frames": frames,
    }
    with open(out_path, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    found = sum(1 for f in frames if f["left"])
    print(f"{out_path}: {len(frames)} frames, face in {found}")


def remake_all(python):
    import os
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    table = os.path.join(root, "Tests/Fixtures/pupil-reference/evaluation-set.tsv")
    for line in open(table):
        if not line.strip() or line.startswith("#"):
            continue
        _source, media, reference = line.rstrip("\n").split("\t")[:3]
        subprocess.run([python, os.path.abspath(__file__), os.path.join(root, ".data", media),
                        os.path.join(root, "Tests/Fixtures/pupil-reference", reference)], check=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--all":
        remake_all(sys.argv[2])
    elif len(sys.argv) == 3:
        main(sys.argv[1], sys.argv[2])
    else:
        sys.exit("usage: make-pupil-reference.py MEDIA OUT.json | --all PYTHON")
