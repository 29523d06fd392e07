/*
 * audio_vad.h — the WebRTC voice activity detector, as Debian's
 * libwebrtc-audio-processing (0.3, the `webrtc-audio-processing` pkg-config
 * module) offers it. That package installs only the C++ AudioProcessing
 * interface: its low-level C VAD (webrtc_vad.h) is inside the library but its
 * header is not shipped, so this shim drives the VAD through the public
 * VoiceDetection component of AudioProcessing, with every other component
 * left off. VoiceDetection's four likelihoods are the VAD's four
 * aggressiveness modes: very_low = mode 3 (most aggressive) ... high = mode 0.
 *
 * One detector per stream; not thread-safe; frames are 10 ms of mono S16.
 */
#ifndef PROCTORD_AUDIO_VAD_H
#define PROCTORD_AUDIO_VAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct audio_vad audio_vad_t;

/* rate_hz: 8000, 16000, 32000 or 48000; mode: 0 (least aggressive) to 3. NULL on failure. */
audio_vad_t *audio_vad_new(int rate_hz, int mode);
void audio_vad_free(audio_vad_t *vad);

/* Samples in one 10 ms frame (rate_hz / 100). */
size_t audio_vad_frame_samples(const audio_vad_t *vad);

/* 1 voice, 0 no voice, -1 error; `frame` holds audio_vad_frame_samples samples. */
int audio_vad_process(audio_vad_t *vad, const int16_t *frame);

#ifdef __cplusplus
}
#endif

#endif
