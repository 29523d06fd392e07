// audio_vad.cc — see audio_vad.h.
#include "audio_vad.h"

#include <cstring>
#include <memory>

#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

struct audio_vad {
    std::unique_ptr<webrtc::AudioProcessing> apm;
    webrtc::AudioFrame frame;
    int rate_hz;
};

static webrtc::VoiceDetection::Likelihood likelihood_for_mode(int mode) {
    switch (mode) {
    case 0: return webrtc::VoiceDetection::kHighLikelihood;
    case 1: return webrtc::VoiceDetection::kModerateLikelihood;
    case 2: return webrtc::VoiceDetection::kLowLikelihood;
    default: return webrtc::VoiceDetection::kVeryLowLikelihood;
    }
}

extern "C" audio_vad_t *audio_vad_new(int rate_hz, int mode) {
    if (rate_hz != 8000 && rate_hz != 16000 && rate_hz != 32000 && rate_hz != 48000) return nullptr;
    if (mode < 0 || mode > 3) return nullptr;
    auto vad = std::make_unique<audio_vad>();
    vad->apm.reset(webrtc::AudioProcessing::Create());
    if (!vad->apm) return nullptr;
    webrtc::VoiceDetection *detection = vad->apm->voice_detection();
    if (detection->Enable(true) != 0 || detection->set_likelihood(likelihood_for_mode(mode)) != 0 ||
        detection->set_frame_size_ms(10) != 0)
        return nullptr;
    vad->rate_hz = rate_hz;
    vad->frame.sample_rate_hz_ = rate_hz;
    vad->frame.num_channels_ = 1;
    vad->frame.samples_per_channel_ = static_cast<size_t>(rate_hz / 100);
    return vad.release();
}

extern "C" void audio_vad_free(audio_vad_t *vad) { delete vad; }

extern "C" size_t audio_vad_frame_samples(const audio_vad_t *vad) { return static_cast<size_t>(vad->rate_hz / 100); }

extern "C" int audio_vad_process(audio_vad_t *vad, const int16_t *frame) {
    const size_t count = audio_vad_frame_samples(vad);
    vad->frame.sample_rate_hz_ = vad->rate_hz;
    vad->frame.num_channels_ = 1;
    vad->frame.samples_per_channel_ = count;
    std::memcpy(vad->frame.data_, frame, count * sizeof(int16_t));
    if (vad->apm->ProcessStream(&vad->frame) != webrtc::AudioProcessing::kNoError) return -1;
    return vad->apm->voice_detection()->stream_has_voice() ? 1 : 0;
}
