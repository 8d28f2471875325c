#!/usr/bin/env python3
"""Side-by-side benchmark: atlassian-mcp (release) vs mcp-atlassian 0.23.1, against mock-atlassian.

Prints one Markdown table and writes it to bench/RESULTS.md. See bench/README.md.
"""
import json, os, platform, shutil, socket, statistics, subprocess, sys, threading, time, urllib.request
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
VENV = os.path.join(ROOT, "bench", ".venv")
QUICK = "--quick" in sys.argv
SPAWNS = 3 if QUICK else 10
CALLS = 10 if QUICK else 50
MCP_ATLASSIAN = "mcp-atlassian==0.23.1"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def cargo_env():
    env = dict(os.environ)
    if "ATLASSIAN_SPECS_DIR" not in env:
        shared = os.path.join(ROOT, "..", "shared", "specs")
        env["ATLASSIAN_SPECS_DIR"] = shared if os.path.isdir(shared) else "specs"
    return env


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class MockAtlassian:
    """The mock binary with --log; counts request lines to tell upstream requests per call."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines = []
        self.proc = subprocess.Popen([os.path.join(TARGET, "release", "mock-atlassian"), "--port", str(self.port), "--log"],
                                     stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/_edge/tenant_info", timeout=1)
                return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("mock did not start")

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line.strip())

    def count(self, pred=lambda l: True):
        return sum(1 for l in list(self.lines) if pred(l))

    def stop(self):
        self.proc.terminate()


class StdioServer:
    def __init__(self, argv, env):
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.next_id = 1

    def send(self, msg):
        self.proc.stdin.write((json.dumps(msg) + "\n").encode())
        self.proc.stdin.flush()

    def recv(self):
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("server closed stdout")
            msg = json.loads(line)
            if "id" in msg:
                return msg

    def request(self, method, params=None):
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.recv()

    def initialize(self):
        r = self.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}})
        elapsed = (time.perf_counter() - self.t0) * 1000
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return r, elapsed

    def rss_hwm_mib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=20)
        except Exception:
            self.proc.kill()


def ours_env(mock, oauth=False):
    env = {"PATH": os.environ.get("PATH", ""), "ATLASSIAN_MCP_LOG": "error", "AUDIT_LOG_FILE": "/dev/null"}
    if oauth:
        env.update({"ATLASSIAN_OAUTH_CLIENT_ID": "mock-client", "ATLASSIAN_OAUTH_CLIENT_SECRET": "mock-secret",
                    "ATLASSIAN_OAUTH_TOKEN_URL": mock.url + "/oauth/token", "ATLASSIAN_API_BASE_URL": mock.url,
                    "ATLASSIAN_SITE_URL": mock.url})
    else:
        env.update({"ATLASSIAN_SITE_URL": mock.url, "ATLASSIAN_EMAIL": "agent@example.com", "ATLASSIAN_API_TOKEN": "mock-api-token"})
    return env


def theirs_env(mock, toolsets):
    env = {"PATH": os.environ.get("PATH", ""), "FASTMCP_CHECK_FOR_UPDATES": "off", "HOME": os.environ.get("HOME", "/tmp"),
           "JIRA_URL": mock.url, "JIRA_USERNAME": "agent@example.com", "JIRA_API_TOKEN": "mock-api-token",
           "CONFLUENCE_URL": mock.url + "/wiki", "CONFLUENCE_USERNAME": "agent@example.com", "CONFLUENCE_API_TOKEN": "mock-api-token",
           "TOOLSETS": toolsets}
    return env


OURS = [os.path.join(TARGET, "release", "atlassian-mcp")]
THEIRS = [os.path.join(VENV, "bin", "mcp-atlassian")]


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def measure(argv, env, mock, calls):
    """Start-up (median of SPAWNS), tools/list, call latencies, requests per call, RSS."""
    starts = []
    for i in range(SPAWNS):
        s = StdioServer(argv, env)
        _, ms = s.initialize()
        starts.append(ms)
        if i < SPAWNS - 1:
            s.close()
    listed = s.request("tools/list")["result"]["tools"]
    list_bytes = len(json.dumps(listed, separators=(",", ":")))
    out = {"start_ms": statistics.median(starts), "tools": len(listed), "list_bytes": list_bytes}
    for name, args in calls:
        lat = []
        before = mock.count()
        for _ in range(CALLS):
            t0 = time.perf_counter()
            r = s.request("tools/call", {"name": name, "arguments": args})
            lat.append((time.perf_counter() - t0) * 1000)
            if r.get("result", {}).get("isError"):
                raise RuntimeError(f"{name} failed: {json.dumps(r)[:400]}")
        time.sleep(0.2)
        out[name] = (statistics.median(lat), percentile(lat, 0.95), (mock.count() - before) / CALLS)
    out["rss_mib"] = s.rss_hwm_mib()
    s.close()
    return out


def cold_cache_tokens(mock):
    s = StdioServer(OURS, ours_env(mock, oauth=True))
    s.initialize()
    before = mock.count(lambda l: l.startswith("POST /oauth/token"))
    for i in range(100):
        s.send({"jsonrpc": "2.0", "id": 1000 + i, "method": "tools/call", "params": {"name": "jira_get_issue", "arguments": {"issue_key": "PROJ-1"}}})
    for _ in range(100):
        s.recv()
    tokens = mock.count(lambda l: l.startswith("POST /oauth/token")) - before
    s.close()
    return tokens


def rebuild_seconds():
    tools = os.path.join(ROOT, "tools.yaml")
    original = open(tools).read()
    entry = "\n  - name: jira_get_version\n    spec: jira\n    operation: getVersion\n    description: Get a Jira project version by id.\n"
    env = cargo_env()
    subprocess.run(["cargo", "build", "--quiet", "-p", "atlassian-mcp"], cwd=ROOT, env=env, check=True)
    try:
        open(tools, "w").write(original.rstrip("\n") + "\n" + entry)
        t0 = time.perf_counter()
        subprocess.run(["cargo", "build", "--quiet", "-p", "atlassian-mcp"], cwd=ROOT, env=env, check=True)
        return time.perf_counter() - t0
    finally:
        open(tools, "w").write(original)
        subprocess.run(["cargo", "build", "--quiet", "-p", "atlassian-mcp"], cwd=ROOT, env=env, check=False)


def main():
    log("building release binaries ...")
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "atlassian-mcp", "-p", "mock-atlassian"], cwd=ROOT, env=cargo_env(), check=True)
    if not os.path.exists(THEIRS[0]):
        log(f"installing {MCP_ATLASSIAN} into bench/.venv ...")
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "--quiet", MCP_ATLASSIAN], check=True)
    mock = MockAtlassian()
    try:
        calls = [("jira_get_issue", {"issue_key": "PROJ-1"}), ("jira_search", {"jql": "project = PROJ", "limit": 10})]
        log("measuring atlassian-mcp ...")
        ours = measure(OURS, ours_env(mock), mock, calls)
        log("measuring mcp-atlassian (TOOLSETS=default) ...")
        theirs = measure(THEIRS, theirs_env(mock, "default"), mock, calls)
        log("mcp-atlassian with all tools ...")
        s = StdioServer(THEIRS, theirs_env(mock, "all"))
        s.initialize()
        all_tools = s.request("tools/list")["result"]["tools"]
        s.close()
        all_bytes = len(json.dumps(all_tools, separators=(",", ":")))
        log("token requests for 100 concurrent calls on a cold cache ...")
        tokens = cold_cache_tokens(mock)
    finally:
        mock.stop()
    log("incremental rebuild after adding one tools.yaml entry ...")
    rebuild = rebuild_seconds()

    def ratio(a, b):
        return f"{a / b:.3f}" if b else "-"

    rows = [
        ("spawn → initialize (median of %d)" % SPAWNS, f"{ours['start_ms']:.1f} ms", f"{theirs['start_ms']:.0f} ms", ratio(ours["start_ms"], theirs["start_ms"]), "≤ 0.01"),
        ("peak RSS (VmHWM)", f"{ours['rss_mib']:.1f} MiB", f"{theirs['rss_mib']:.1f} MiB", ratio(ours["rss_mib"], theirs["rss_mib"]), "≤ 0.1"),
        ("tools/list: tools (default set)", str(ours["tools"]), str(theirs["tools"]), "", ""),
        ("tools/list: bytes (default set)", str(ours["list_bytes"]), str(theirs["list_bytes"]), ratio(ours["list_bytes"], theirs["list_bytes"]), ""),
        ("tools/list: bytes per tool", str(ours["list_bytes"] // ours["tools"]), str(theirs["list_bytes"] // theirs["tools"]),
         ratio(ours["list_bytes"] / ours["tools"], theirs["list_bytes"] / theirs["tools"]), "≤ 0.5"),
        ("tools/list: ~tokens (bytes/4)", str(ours["list_bytes"] // 4), str(theirs["list_bytes"] // 4), "", ""),
        ("tools/list with all tools (theirs: TOOLSETS=all)", f"{ours['tools']} tools, {ours['list_bytes']} B", f"{len(all_tools)} tools, {all_bytes} B", "", ""),
    ]
    for name, _ in calls:
        o, t = ours[name], theirs[name]
        rows.append((f"{name} median / p95 ({CALLS} calls)", f"{o[0]:.2f} / {o[1]:.2f} ms", f"{t[0]:.1f} / {t[1]:.1f} ms", ratio(o[0], t[0]), "≤ 0.1"))
        rows.append((f"{name} upstream requests per call", f"{o[2]:.1f}", f"{t[2]:.1f}", "", ""))
    rows.append(("token requests, 100 concurrent calls, cold cache (ours)", str(tokens), "n/a (no client credentials)", "", "= 1"))
    rows.append(("incremental `cargo build` after one tools.yaml entry (ours)", f"{rebuild:.1f} s", "n/a", "", "≤ 60 s"))

    table = ["| measure | atlassian-mcp | mcp-atlassian 0.23.1 | ratio | target |", "|---|---|---|---|---|"]
    table += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    cpu = platform.processor() or platform.machine()
    header = (f"# Benchmark results\n\n{date.today().isoformat()}, {os.cpu_count()} cores, {platform.system()} {platform.machine()} ({cpu}); "
              f"`python3 bench/run.py{' --quick' if QUICK else ''}`. Both servers against mock-atlassian on 127.0.0.1: "
              "mcp-atlassian therefore runs in Server/Data Center mode (Basic auth, /rest/api/2); its OAuth mode is tied to "
              "Atlassian's hosts and cannot be benchmarked locally. Ours uses an API token for the call figures and OAuth "
              "client credentials for the token figure.\n\n")
    text = header + "\n".join(table) + "\n"
    print(text)
    if not QUICK:
        open(os.path.join(ROOT, "bench", "RESULTS.md"), "w").write(text)


if __name__ == "__main__":
    main()
