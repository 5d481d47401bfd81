"""What an uploaded recording holds, checked before it is kept: a phrase a caller can hear.

Each upload is decoded for real (miniaudio: dr_wav and dr_mp3, no system libraries), so
a file named .mp3 that is not MP3, or one that is cut off, is refused with a message the
staff member can act on, before a caller gets silence. Twilio's <Play> takes MP3 and WAV
and plays them on the phone line as 8 kHz mono, so those two formats are all we accept,
and the limits below are about what survives that line.

The contents of a file are never logged: a recording is a person's voice.
"""

import math
import operator
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path

import miniaudio

from app.errors import N_, StaffMessage

FORMATS = {".mp3": "MP3", ".wav": "WAV"}

# A single short word ("och", "två") takes a quarter of a second and more; anything
# shorter is a click or an empty take, not a word.
MIN_SECONDS = 0.2
# A recording is one phrase of a menu or a reminder, not a speech: the longest sentence
# the menus use takes well under 15 s said slowly. 30 s leaves room for slow speakers and
# still catches a whole script recorded into one file (and a file Twilio must fetch
# whole before the caller hears anything).
MAX_SECONDS = 30.0
# The phone line carries 8 kHz (G.711): below that the speech band (up to 3.4 kHz) is
# already lost before Twilio resamples it.
MIN_SAMPLE_RATE = 8000
# Speech recorded at a sensible level averages about -20 dBFS; below -40 dBFS over the
# whole file (pauses included) nothing useful is heard on a phone, where the line and a
# noisy room take another 10-20 dB.
QUIET_DBFS = -40.0
# Clipping: a run of samples stuck at full scale. One full-scale sample happens in a clean
# loud take (and MP3 decoding can overshoot by a sample); three in a row is where audio
# editors start to call it clipping (Audacity's "Find Clipping" uses 3), and it is heard
# as a crackle.
CLIP_RUN = 3
_FULL_SCALE = 32768  # 16-bit samples: every file is decoded to them
# Recordings are joined one after another in a call: silence at either end is dead air
# between the words of a sentence, and a caller thinks the line has gone. Up to a second
# is a take's natural lead-in; more must be cut. Silent means no 10 ms of it rises above
# -45 dBFS (a quiet room's noise stays below it; the softest speech is well above).
MAX_EDGE_SILENCE = 1.0
SILENT_PEAK = round(_FULL_SCALE * 10 ** (-45 / 20))
# Digital silence has no level in decibels; it is given as the quietest 16-bit step.
SILENCE_DBFS = round(20 * math.log10(1 / _FULL_SCALE), 1)
# The check as it stands, for verdicts kept on files (app/voice/recordings.py): a change to
# a limit, or to how a limit is measured (raise the first number), makes them stale.
CHECK_VERSION = (
    f"1:{MIN_SECONDS}:{MAX_SECONDS}:{MIN_SAMPLE_RATE}:{QUIET_DBFS}:{CLIP_RUN}:"
    f"{MAX_EDGE_SILENCE}:{SILENT_PEAK}"
)


@dataclass(frozen=True)
class AudioInfo:
    """A decoded recording: its format, length, sampling and loudness."""

    format: str  # "mp3" or "wav"
    seconds: float
    sample_rate: int
    channels: int
    rms_dbfs: float  # the average loudness over the whole file
    peak_dbfs: float  # the loudest sample; 0.0 is full scale


class AudioProblem(ValueError):
    """A recording that cannot be used: `reason` names the check, `message` says it to
    staff (an N_() msgid with its values, translated where shown)."""

    def __init__(self, reason: str, message: StaffMessage) -> None:
        super().__init__(str(message))
        self.reason = reason
        self.message = message


def _unreadable(name: str) -> AudioProblem:
    return AudioProblem(
        "unreadable",
        StaffMessage(
            N_(
                "The file cannot be played as %(format)s. Save the recording as MP3 or "
                "WAV and upload it again."
            ),
            format=name,
        ),
    )


def _looks_like(data: bytes, suffix: str) -> bool:
    """Whether the first bytes are those of the format the name says. The decoders are
    lenient about where the sound starts; a WAV renamed .mp3 must not pass as MP3."""
    if suffix == ".wav":
        return data[:4] in (b"RIFF", b"RF64") and data[8:12] == b"WAVE"
    # MP3: an ID3 tag, or straight away an MPEG audio frame (11 sync bits).
    return data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)


def _info(data: bytes, suffix: str) -> miniaudio.SoundFileInfo:
    if suffix == ".wav":
        return miniaudio.wav_get_info(data)
    return miniaudio.mp3_get_info(data)


def _samples(data: bytes, suffix: str) -> miniaudio.DecodedSoundFile:
    if suffix == ".wav":
        return miniaudio.wav_read_s16(data)
    return miniaudio.mp3_read_s16(data)


def _dbfs(level: float) -> float:
    if level <= 0:
        return SILENCE_DBFS
    return round(max(SILENCE_DBFS, 20 * math.log10(level / _FULL_SCALE)), 1) + 0.0  # not -0.0


def _edge_silence(samples: array, per_second: int) -> tuple[float, float]:
    """Seconds of silence before the first sound and after the last one (in steps of 10 ms
    of samples, all channels, looked at from each end until one has sound in it)."""
    step = max(1, per_second // 100)

    def loud(index: int) -> bool:
        chunk = samples[index : index + step]
        return max(chunk) > SILENT_PEAK or -min(chunk) > SILENT_PEAK

    starts = range(0, len(samples), step)
    first = next((index for index in starts if loud(index)), None)
    if first is None:
        return len(samples) / per_second, 0.0
    last = next(index for index in reversed(starts) if loud(index))
    return first / per_second, (len(samples) - last - step) / per_second


def _clipped(samples: array, channels: int, highest: int, lowest: int) -> bool:
    """Whether any channel has CLIP_RUN samples in a row at full scale (`highest` and
    `lowest` are the largest and smallest of the samples)."""
    if highest < _FULL_SCALE - 1 and lowest > -_FULL_SCALE + 1:
        return False  # the usual case, decided without a look at each sample
    # Look only at the full-scale samples (few, in a take worth keeping), found as bytes.
    raw = samples.tobytes()
    for value in (_FULL_SCALE - 1, -_FULL_SCALE + 1, -_FULL_SCALE):
        pattern = value.to_bytes(2, sys.byteorder, signed=True)
        at = raw.find(pattern)
        while at >= 0:
            if at % 2 == 0:
                index = at // 2
                run = samples[index : index + CLIP_RUN * channels : channels]
                if len(run) == CLIP_RUN and min(abs(s) for s in run) >= _FULL_SCALE - 1:
                    return True
            at = raw.find(pattern, at + 1)
    return False


def _checked_length(frames: int, rate: int) -> None:
    """Refuse by length and sampling: first by the header's numbers, before the whole file
    is decoded, then by what was decoded (a cut-off file has fewer frames than it says)."""
    if frames == 0 or rate == 0:
        raise AudioProblem("empty", StaffMessage(N_("The recording has no sound in it.")))
    if rate < MIN_SAMPLE_RATE:
        raise AudioProblem(
            "sample_rate",
            StaffMessage(
                N_(
                    "The sample rate is %(rate)s Hz; a phone needs at least %(least)s Hz. "
                    "Record or export the file at %(least)s Hz or more."
                ),
                rate=rate,
                least=MIN_SAMPLE_RATE,
            ),
        )
    seconds = frames / rate
    if seconds < MIN_SECONDS:
        raise AudioProblem(
            "too_short",
            StaffMessage(
                N_(
                    "The recording is only %(seconds)s seconds long. Record the whole "
                    "phrase (at least %(least)s seconds)."
                ),
                seconds=f"{seconds:.2f}",
                least=MIN_SECONDS,
            ),
        )
    if seconds > MAX_SECONDS:
        raise AudioProblem(
            "too_long",
            StaffMessage(
                N_(
                    "The recording is %(seconds)s seconds long; one phrase may take at most "
                    "%(most)s seconds. Record only the phrase the file is named for."
                ),
                seconds=f"{seconds:.0f}",
                most=f"{MAX_SECONDS:.0f}",
            ),
        )


def inspect(data: bytes, suffix: str) -> AudioInfo:
    """Decode an uploaded recording (suffix ".mp3" or ".wav") and measure it; raise
    AudioProblem when a caller could not hear it well (see the limits above)."""
    suffix = suffix.lower()
    if suffix not in FORMATS:
        raise AudioProblem(
            "format", StaffMessage(N_("Upload the recording as an MP3 or WAV file."))
        )
    if not data:
        raise AudioProblem("empty", StaffMessage(N_("The file is empty.")))
    if not _looks_like(data, suffix):
        raise _unreadable(FORMATS[suffix])
    try:
        info = _info(data, suffix)
        _checked_length(info.num_frames, info.sample_rate)
        decoded = _samples(data, suffix)
    except miniaudio.DecodeError:
        raise _unreadable(FORMATS[suffix]) from None
    _checked_length(decoded.num_frames, decoded.sample_rate)
    samples = decoded.samples
    rms = math.sqrt(sum(map(operator.mul, samples, samples)) / len(samples))
    highest, lowest = max(samples), min(samples)  # each a pass over every sample: once
    peak = max(highest, -lowest)
    found = AudioInfo(
        format=suffix[1:],
        seconds=round(decoded.num_frames / decoded.sample_rate, 3),
        sample_rate=decoded.sample_rate,
        channels=decoded.nchannels,
        rms_dbfs=_dbfs(rms),
        peak_dbfs=_dbfs(peak),
    )
    if found.rms_dbfs < QUIET_DBFS:
        raise AudioProblem(
            "too_quiet",
            StaffMessage(
                N_(
                    "The recording is too quiet to be heard on a phone (%(level)s dBFS on "
                    "average). Record closer to the microphone, or raise the level."
                ),
                level=f"{found.rms_dbfs:.0f}",
            ),
        )
    lead, tail = _edge_silence(samples, decoded.sample_rate * decoded.nchannels)
    if max(lead, tail) > MAX_EDGE_SILENCE:
        message = (
            N_("The recording starts with %(seconds)s seconds of silence. Cut it to at most "
               "1 second: the phrases are joined in a call, and the caller would hear a long "
               "pause.")
            if lead >= tail
            else N_("The recording ends with %(seconds)s seconds of silence. Cut it to at "
                    "most 1 second: the phrases are joined in a call, and the caller would "
                    "hear a long pause.")
        )  # fmt: skip
        raise AudioProblem("silence", StaffMessage(message, seconds=f"{max(lead, tail):.0f}"))
    if _clipped(samples, decoded.nchannels, highest, lowest):
        raise AudioProblem(
            "clipped",
            StaffMessage(
                N_(
                    "The recording is distorted: it is too loud in places (clipped). "
                    "Record a little further from the microphone, or lower the level."
                )
            ),
        )
    return found


def inspect_file(path: Path) -> AudioInfo:
    """inspect() for a recording already kept (by its file's suffix)."""
    return inspect(path.read_bytes(), path.suffix)


def duration(path: Path) -> float:
    """A recording's length in seconds, from its file (decoded, not guessed from its size);
    AudioProblem when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise AudioProblem(
            "format", StaffMessage(N_("Upload the recording as an MP3 or WAV file."))
        )
    try:
        info = _info(path.read_bytes(), suffix)
    except miniaudio.DecodeError:
        raise _unreadable(FORMATS[suffix]) from None
    return round(info.num_frames / info.sample_rate, 3) if info.sample_rate else 0.0
