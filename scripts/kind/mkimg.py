"""Writes an OCI image layout tar from a folder, with no registry and no Docker (ctr and `kind load image-archive` read it).
usage: mkimg.py DIR NAME:TAG OUT.tar [--entrypoint A B…] [--cmd A B…] [--env K=V]… [--user U]
Every extra NAME:TAG after --also is another name for the same image."""
import hashlib, io, json, os, sys, tarfile, time

args = sys.argv[1:]
rootfs, ref, out = args[:3]
opts = {"entrypoint": None, "cmd": None, "env": [], "user": None, "also": []}
cur = None
for a in args[3:]:
    if a.startswith("--"):
        cur = a[2:]
        if opts.get(cur) is None and cur in ("entrypoint", "cmd"):
            opts[cur] = []
        continue
    if cur in ("entrypoint", "cmd", "env", "also"):
        opts[cur].append(a)
    elif cur == "user":
        opts["user"] = a

buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    for name in sorted(os.listdir(rootfs)):
        t.add(os.path.join(rootfs, name), arcname=name)
layer = buf.getvalue()
ld = "sha256:" + hashlib.sha256(layer).hexdigest()
config = {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", *opts["env"]]}
if opts["entrypoint"] is not None:
    config["Entrypoint"] = opts["entrypoint"]
if opts["cmd"] is not None:
    config["Cmd"] = opts["cmd"]
if opts["user"]:
    config["User"] = opts["user"]
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": config, "rootfs": {"type": "layers", "diff_ids": [ld]}}).encode()
cd = "sha256:" + hashlib.sha256(cfg).hexdigest()
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(cfg)},
                  "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": len(layer)}]}).encode()
md = "sha256:" + hashlib.sha256(man).hexdigest()
refs = [ref, *opts["also"]]
idx = json.dumps({"schemaVersion": 2, "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": len(man),
     "annotations": {"io.containerd.image.name": r, "org.opencontainers.image.ref.name": r.split(":")[-1]}} for r in refs]}).encode()
tmp = out + ".tmp"
with tarfile.open(tmp, "w") as t:
    def add(name, data):
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        ti.mtime = int(time.time())
        t.addfile(ti, io.BytesIO(data))
    add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    add("index.json", idx)
    for dgst, data in ((ld, layer), (cd, cfg), (md, man)):
        add("blobs/sha256/" + dgst.split(":")[1], data)
os.replace(tmp, out)
