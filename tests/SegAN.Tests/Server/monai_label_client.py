"""A MONAI Label client written from the protocol (standard library only), driving a running `segan serve`.

Usage: monai_label_client.py URL STUDIES OUT
Prints one JSON object with what it saw; the C# test asserts on it. Only ever talks to the given URL
(127.0.0.1), with a bounded number of requests.
"""
import email
import email.policy
import hashlib
import http.client
import json
import os
import socket
import sys
import threading
import uuid
from urllib.parse import quote_plus, urlparse

URL, STUDIES, OUT = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
HOST, PORT = urlparse(URL).hostname, urlparse(URL).port
assert HOST == "127.0.0.1", HOST


def request(method, path, body=None, content_type=None):
    conn = http.client.HTTPConnection(HOST, PORT, timeout=120)
    headers = {}
    if body is not None:
        headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), response.read()
    except (ConnectionError, BrokenPipeError) as e:
        return None, {}, str(e).encode()
    finally:
        conn.close()


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value in fields.items():
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                      'Content-Type: application/octet-stream\r\n\r\n'.encode() + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def parse_answer(headers, body):
    message = email.message_from_bytes(b"MIME-Version: 1.0\r\nContent-Type: " + headers["content-type"].encode() + b"\r\n\r\n" + body,
                                       policy=email.policy.HTTP)
    parts = {}
    for part in message.iter_parts():
        parts[part.get_param("name", header="content-disposition")] = (part.get_filename(), part.get_payload(decode=True))
    return parts


def infer(model, image):
    body, content_type = multipart({"params": "{}"}, {})
    return request("POST", f"/infer/{quote_plus(model)}?image={quote_plus(image)}", body, content_type)


def upload(image, filename, data):
    body, content_type = multipart({"params": "{}"}, {"file": (filename, data)})
    return request("PUT", f"/datastore/?image={quote_plus(image)}", body, content_type)


def read(path):
    with open(path, "rb") as f:
        return f.read()


seen = {}
status, _, body = request("GET", "/info/")
info = json.loads(body)
seen["info"] = {"status": status, "keys": sorted(info), "models": sorted(info["models"]), "labels": info["labels"]}

status, _, body = request("POST", "/activelearning/first", b"{}", "application/json")
sample = json.loads(body)
seen["next"] = sample
status, headers, body = request("GET", f"/datastore/image?image={quote_plus(sample['id'])}")
seen["download"] = {"status": status, "sha256": hashlib.sha256(body).hexdigest()}

# Flow B: infer the next sample by ID with the 3-modality model.
status, headers, body = infer("brats", sample["id"])
parts = parse_answer(headers, body)
filename, label_map = parts["image"]
with open(os.path.join(OUT, "flow_b_" + filename), "wb") as f:
    f.write(label_map)
seen["flow_b"] = {"status": status, "content_length": headers.get("content-length"), "body_length": len(body),
                  "transfer_encoding": headers.get("transfer-encoding"), "filename": filename,
                  "params": json.loads(parts["params"][1])}

# Flow A: upload a FLAIR volume, infer it with the 1-modality model.
flair = read(os.path.join(STUDIES, "Phantom003", "Phantom003_flair.nii.gz"))
status, _, body = upload("scan one", "/home/user/scan one.nii.gz", flair)
seen["upload_bad_id"] = {"status": status, "body": json.loads(body)}
status, _, body = upload("scan-1", "/home/user/scan-1.nii.gz", flair)
seen["upload"] = {"status": status, "body": json.loads(body)}
status, headers, body = infer("flair", "scan-1")
filename, label_map = parse_answer(headers, body)["image"]
with open(os.path.join(OUT, "flow_a_" + filename), "wb") as f:
    f.write(label_map)
seen["flow_a"] = {"status": status, "filename": filename}

# Hostile inputs: each must be refused, and the server must still answer afterwards.
hostile = {}
status, _, body = upload("big", "/tmp/big.nii.gz", os.urandom(300 * 1024))
hostile["oversize"] = status
status, _, body = upload("junk", "/tmp/junk.nii.gz", b"GIF89a not a volume at all" * 10)
hostile["junk"] = [status, json.loads(body).get("error", "")]
status, _, body = request("GET", "/datastore/image?image=" + quote_plus("../../etc/passwd"))
hostile["traversal"] = [status, json.loads(body).get("error", "")]
status, _, body = infer("brats", "../../etc/passwd")
hostile["traversal_infer"] = status
# A multipart body cut short (no closing boundary), then a connection that ends before its promised body.
whole, content_type = multipart({"params": "{}"}, {"file": ("cut.nii.gz", flair)})
status, _, body = request("PUT", "/datastore/?image=cut", whole[: len(whole) // 2], content_type)
hostile["truncated_multipart"] = [status, json.loads(body).get("error", "")]
sock = socket.create_connection((HOST, PORT), timeout=30)
sock.sendall(f"PUT /datastore/?image=cut HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: {content_type}\r\n"
             f"Content-Length: {len(whole)}\r\nConnection: close\r\n\r\n".encode() + whole[: len(whole) // 2])
sock.shutdown(socket.SHUT_WR)
answer = b""
try:
    while len(answer) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
except OSError:
    pass
sock.close()
hostile["cut_connection"] = answer.split(b"\r\n", 1)[0].decode("latin-1")
status, _, _ = request("GET", "/info/")
hostile["still_up"] = status
seen["hostile"] = hostile

# 8 simultaneous infers of one case: all answered, identical.
results = [None] * 8


def worker(i):
    status, headers, body = infer("brats", "Phantom001")
    results[i] = (status, hashlib.sha256(parse_answer(headers, body)["image"][1]).hexdigest() if status == 200 else None)


threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=300)
seen["concurrent"] = {"statuses": [r[0] if r else None for r in results], "distinct_maps": len({r[1] for r in results if r})}
print(json.dumps(seen))
