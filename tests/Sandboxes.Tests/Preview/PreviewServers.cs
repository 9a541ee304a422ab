namespace Sandboxes.Tests.Preview;

/// <summary>Small servers, in the sandbox image's own python3, for the preview tests.</summary>
public static class PreviewServers
{
    /// <summary>Sends "data: first", waits until /tmp/release exists, sends "data: last" and ends.</summary>
    public const string EventStream = """
        import http.server, os, time
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                self.wfile.write(b"data: first\n\n"); self.wfile.flush()
                for _ in range(600):
                    if os.path.exists("/tmp/release"):
                        break
                    time.sleep(0.1)
                self.wfile.write(b"data: last\n\n"); self.wfile.flush()
        http.server.ThreadingHTTPServer(("127.0.0.1", 8100), Handler).serve_forever()
        """;

    /// <summary>A WebSocket server on 8200 that answers each text message with "echo:" and the message.</summary>
    public const string WebSocketEcho = """
        import base64, hashlib, socket, struct, threading
        def handle(c):
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = c.recv(4096)
                if not chunk:
                    return
                data += chunk
            headers = {}
            for line in data.decode().split("\r\n")[1:]:
                if ": " in line:
                    k, v = line.split(": ", 1)
                    headers[k.lower()] = v
            accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
            c.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n").encode())
            while True:
                head = c.recv(2)
                if len(head) < 2:
                    return
                op, n = head[0] & 0x0F, head[1] & 0x7F
                if n == 126:
                    n = struct.unpack(">H", c.recv(2))[0]
                mask = c.recv(4)
                payload = b""
                while len(payload) < n:
                    payload += c.recv(n - len(payload))
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
                if op == 8:
                    return
                reply = b"echo:" + payload
                c.sendall(bytes([0x81, len(reply)]) + reply)
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 8200))
        server.listen(8)
        while True:
            connection, _ = server.accept()
            threading.Thread(target=handle, args=(connection,), daemon=True).start()
        """;
}
