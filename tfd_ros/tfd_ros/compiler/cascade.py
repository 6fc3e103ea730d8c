"""The ``cascade`` compiler: the heuristic first, the LLM only where the heuristic is unsure."""

from tfd_ros.compiler.llm import LlmCompiler, safe_heuristic
from tfd_ros.payload import TextOpPayload


class CascadeCompiler:
    """
    Heuristic result when it has an intent with confidence >= ``threshold``; else the LLM.

    A ``stop`` found by the heuristic is never sent to the LLM, whatever its confidence. Every
    LLM failure returns the heuristic result with an ``llm fallback: <reason>`` note.
    """

    name = 'cascade'

    def __init__(self, heuristic, llm: LlmCompiler, threshold: float):
        if not 0.0 <= threshold <= 1.0:
            raise ValueError('threshold must be within [0, 1]')
        self.heuristic = heuristic
        self.llm = llm
        self.threshold = threshold

    def __repr__(self) -> str:
        return f'CascadeCompiler(threshold={self.threshold}, llm={self.llm!r})'

    def needs_llm(self, payload: TextOpPayload) -> bool:
        """Tell whether the heuristic result is too unsure to stand on its own."""
        if payload.intent == 'stop':
            return False
        return payload.intent is None or payload.confidence < self.threshold

    def compile(self, text: str) -> TextOpPayload:
        """Compile ``text``; never raises."""
        found = safe_heuristic(self.heuristic, text)
        if not self.needs_llm(found):
            return found
        payload = self.llm.refine(text, found)
        if payload.compiler != found.compiler:
            why = ('found no intent' if found.intent is None else
                   f'confidence {found.confidence:g} below {self.threshold:g}')
            payload.notes.append(f'cascade: heuristic {why}')
        return payload
