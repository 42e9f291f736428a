"""A game backend behind the forward gateway, in Python's standard library (Debian's python3).

It verifies every call with Aghanim's published sample code (REFERENCE.md §1.3: the raw body decoded as text,
f"{timestamp}.{payload}", HMAC-SHA256 hex digest, hmac.compare_digest, 403 "Invalid signature"), unchanged
except that the secret is the forward secret. Prints "listening PORT" once it accepts connections, and one JSON
line per call it received ("call {...}").
"""
import hashlib
import hmac
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

secret_key = sys.argv[1]


def verify_signature(payload, timestamp, signature):
    signature_data = f"{timestamp}.{payload}"
    expected = hmac.new(secret_key.encode("utf-8"), signature_data.encode("utf-8"), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        payload = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
        timestamp = self.headers.get("x-aghanim-signature-timestamp")
        signature = self.headers.get("x-aghanim-signature")
        verified = timestamp is not None and signature is not None and verify_signature(payload, timestamp, signature)
        event = json.loads(payload) if verified else {}
        print("call " + json.dumps({
            "verified": verified,
            "event_type": event.get("event_type"),
            "delivery_id": self.headers.get("x-aghanim-delivery-id"),
            "attempt": self.headers.get("x-aghanim-attempt"),
            "idempotency_key": self.headers.get("x-aghanim-idempotency-key"),
        }), flush=True)
        if not verified:
            return self.answer(403, {"status": "error", "code": "invalid_signature", "message": "Invalid signature"})
        data = event["event_data"]
        if event["event_type"] == "player.verify":
            if data["player_id"] == "banned":
                return self.answer(404, {"status": "error", "code": "not_found", "message": "Player not found"})
            return self.answer(200, {"player_id": data["player_id"], "name": "Py Player", "attributes": {"level": 7}})
        if event["event_type"] == "item.add" and data["items"][0]["sku"] == "sold_out":
            return self.answer(400, {"status": "error", "code": "declined", "message": "Sold out"})
        return self.answer(200, {"status": "ok"})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"listening {server.server_address[1]}", flush=True)
server.serve_forever()
