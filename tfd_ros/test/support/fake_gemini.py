"""
A loopback HTTP server that speaks the Gemini ``generateContent`` REST endpoint.

It answers ``POST /v1beta/models/{model}:generateContent`` with scripted behaviours so that the
real ``google-genai`` client can be tested without the internet, and it records every request
(path, query, headers, JSON body) for assertions.

Behaviours (``FakeGemini.behaviour``):

``valid``            200, one candidate whose text is ``json.dumps(answer)`` (finish STOP)
``not_understood``   200, a schema-valid answer with ``intent: null`` for every text
``unknown_intent``   200, a well-formed answer whose intent is not an ontology intent
``malformed_json``   200, candidate text that is not JSON
``empty``            200, ``candidates: []``
``safety``           200, a candidate with finish_reason SAFETY and no content
``prompt_blocked``   200, no candidate, ``promptFeedback.blockReason`` SAFETY
``slow``             sleeps ``delay_s`` and then answers like ``valid``
``rate_limited``     429 for the first ``fail_first`` requests, then like ``valid``
``server_error``     500 for every request

``answer`` is either a mapping or a callable ``answer(text) -> mapping`` of the user text.
"""

from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import json
import re
import threading
import time
from typing import Any, Callable, Optional, Union
from urllib.parse import parse_qs, urlsplit

BEHAVIOURS = ('valid', 'not_understood', 'unknown_intent', 'malformed_json', 'empty', 'safety',
              'prompt_blocked', 'slow', 'rate_limited', 'server_error')

_PATH = re.compile(r'^/(?P<version>v1\w*)/models/(?P<model>[^/:]+):generateContent$')


@dataclass
class RecordedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict
    headers: dict
    raw_body: bytes
    body: Any = None
    model: str = ''

    @property
    def user_text(self) -> str:
        """Return the concatenated text of the user contents."""
        parts = []
        for content in (self.body or {}).get('contents', []):
            for part in content.get('parts', []):
                if 'text' in part:
                    parts.append(part['text'])
        return '\n'.join(parts)

    @property
    def generation_config(self) -> dict:
        """Return the ``generationConfig`` object of the request body."""
        return (self.body or {}).get('generationConfig', {})

    @property
    def system_instruction(self) -> str:
        """Return the text of the system instruction."""
        parts = ((self.body or {}).get('systemInstruction') or {}).get('parts', [])
        return '\n'.join(p.get('text', '') for p in parts)


@dataclass
class FakeGemini:
    """A scripted Gemini endpoint on ``127.0.0.1`` with an OS-chosen port."""

    behaviour: str = 'valid'
    answer: Union[dict, Callable[[str], dict], None] = None
    delay_s: float = 1.0
    fail_first: int = 1
    requests: list = field(default_factory=list)
    _server: Optional[ThreadingHTTPServer] = None
    _thread: Optional[threading.Thread] = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> 'FakeGemini':
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={'poll_interval': 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> 'FakeGemini':
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Return ``http://127.0.0.1:<port>`` of the running server."""
        host, port = self._server.server_address[:2]
        return f'http://{host}:{port}'

    def reset(self, behaviour: Optional[str] = None, **changes) -> None:
        """Forget recorded requests and optionally change the behaviour and its settings."""
        with self._lock:
            self.requests.clear()
            if behaviour is not None:
                if behaviour not in BEHAVIOURS:
                    raise ValueError(f'unknown behaviour {behaviour!r}')
                self.behaviour = behaviour
            for name, value in changes.items():
                setattr(self, name, value)

    # --- answering ---------------------------------------------------------------------------
    def _record(self, request: RecordedRequest) -> int:
        with self._lock:
            self.requests.append(request)
            return len(self.requests)

    def _answer_for(self, text: str) -> dict:
        if callable(self.answer):
            return self.answer(text)
        if self.answer is not None:
            return dict(self.answer)
        return {'intent': None}

    def respond(self, request: RecordedRequest, number: int):
        """Return ``(status, body, delay_s)`` for the ``number``-th request."""
        behaviour = self.behaviour
        if behaviour == 'server_error':
            return 500, _error(500, 'INTERNAL', 'scripted internal error'), 0.0
        if behaviour == 'rate_limited' and number <= self.fail_first:
            return 429, _error(429, 'RESOURCE_EXHAUSTED', 'scripted quota exhausted'), 0.0
        if behaviour == 'empty':
            return 200, {'candidates': [], 'usageMetadata': {'promptTokenCount': 1}}, 0.0
        if behaviour == 'prompt_blocked':
            return 200, {'promptFeedback': {'blockReason': 'SAFETY', 'safetyRatings': [
                {'category': 'HARM_CATEGORY_DANGEROUS_CONTENT', 'probability': 'HIGH'}]}}, 0.0
        if behaviour == 'safety':
            return 200, {'candidates': [{'finishReason': 'SAFETY', 'index': 0, 'safetyRatings': [
                {'category': 'HARM_CATEGORY_DANGEROUS_CONTENT', 'probability': 'HIGH',
                 'blocked': True}]}]}, 0.0
        if behaviour == 'malformed_json':
            return 200, _candidate('{"intent": "clean_area", "slots": {"target": "kitch'), 0.0
        if behaviour == 'not_understood':
            return 200, _candidate(json.dumps({'intent': None})), 0.0
        if behaviour == 'unknown_intent':
            answer = dict(self._answer_for(request.user_text), intent='teleport_somewhere')
            return 200, _candidate(json.dumps(answer)), 0.0
        delay = self.delay_s if behaviour == 'slow' else 0.0
        return 200, _candidate(json.dumps(self._answer_for(request.user_text))), delay


def _candidate(text: str) -> dict:
    return {
        'candidates': [{'content': {'role': 'model', 'parts': [{'text': text}]},
                        'finishReason': 'STOP', 'index': 0}],
        'usageMetadata': {'promptTokenCount': 10, 'candidatesTokenCount': 10,
                          'totalTokenCount': 20},
        'modelVersion': 'fake-gemini',
    }


def _error(code: int, status: str, message: str) -> dict:
    return {'error': {'code': code, 'message': message, 'status': status}}


def _make_handler(fake: FakeGemini):

    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'
        disable_nagle_algorithm = True  # one segment per answer: no delayed-ACK stall

        def do_POST(self):  # noqa: N802 (http.server naming)
            split = urlsplit(self.path)
            length = int(self.headers.get('Content-Length') or 0)
            raw = self.rfile.read(length) if length else b''
            try:
                body = json.loads(raw.decode('utf-8')) if raw else None
            except ValueError:
                body = None
            match = _PATH.match(split.path)
            request = RecordedRequest(
                method='POST', path=split.path, query=parse_qs(split.query),
                headers={k.lower(): v for k, v in self.headers.items()}, raw_body=raw,
                body=body, model=match.group('model') if match else '')
            number = fake._record(request)
            if match is None:
                self._send(404, _error(404, 'NOT_FOUND', f'no route for {split.path}'))
                return
            status, payload, delay = fake.respond(request, number)
            if delay:
                time.sleep(delay)
            self._send(status, payload)

        def _send(self, status: int, payload: dict):
            data = json.dumps(payload).encode('utf-8')
            try:
                self.send_response(status)
                self.send_header('Content-Type', 'application/json; charset=UTF-8')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout); nothing to answer

        def log_message(self, format, *args):  # noqa: A002 (http.server signature)
            pass

    return Handler
