"""Speech («🔊 Nghe»): offline Vietnamese voice messages for lessons, quizzes and menus.

- `espeak`: eSpeak NG (from the `espeakng-loader` wheel) through ctypes -> PCM;
- `encode`: PCM -> OGG/Opus (Telegram) and ADTS AAC (Zalo) through PyAV;
- `pronunciation`: content/pronunciation.yaml, how abbreviations and numbers are said;
- `cache`: voice files by content hash; `scripts`: what is said for a step, a question, a menu;
- `service.Speech`: the facade the rest of the bot uses.
Sits beside `content` in the layers: it imports only config-free content models.
"""

from bot.speech.cache import Voice
from bot.speech.service import Speech

__all__ = ["Speech", "Voice"]
