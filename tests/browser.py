"""A headless Chromium driven over its DevTools pipe (no extra package): open a local page,
run JavaScript in it, take screenshots, and list every request the page made (the
DevTools Network events of the page, recorded from before it starts loading)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """``with Browser(page) as b: b.evaluate("1+1")``; ``b.requests()`` after closing."""

    def __init__(self, page: Path, width: int = 1100, height: int = 1400) -> None:
        self.page = page
        self.size = (width, height)
        self.tmp = Path(tempfile.mkdtemp(prefix="img-dossier-chromium-"))
        self.seen: list[str] = []
        self.next_id = 0
        self.buffer = b""

    def __enter__(self) -> Browser:
        binary = find_chromium()
        assert binary is not None
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds() -> None:  # the DevTools pipe is fds 3 (commands in) and 4 (replies out)
            read_end, write_end = os.dup(to_child_r), os.dup(from_child_w)  # never 3 or 4
            os.dup2(read_end, 3)  # dup2 to another number: inheritable across exec
            os.dup2(write_end, 4)

        args = [
            binary,
            *FLAGS,
            f"--user-data-dir={self.tmp / 'profile'}",
            f"--window-size={self.size[0]},{self.size[1]}",
            "about:blank",
        ]
        self.proc = subprocess.Popen(
            args,
            preexec_fn=fds,
            close_fds=False,  # fds 3 and 4 made in the child stay open
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)[
            "sessionId"
        ]
        self.call("Network.enable", session=True)
        self.call("Page.navigate", session=True, url=self.page.as_uri())
        self.wait_loaded()
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_child)
        os.close(self.from_child)

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def call(self, method: str, session: bool = False, **params: Any) -> Any:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self.to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_child, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed its DevTools pipe")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("method") in ("Network.requestWillBeSent", "Network.webSocketCreated"):
                self.seen.append(reply["params"].get("request", reply["params"]).get("url", ""))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
        raise TimeoutError(method)

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def wait_loaded(self) -> None:
        for _ in range(200):
            with contextlib.suppress(RuntimeError):
                state = self.evaluate("[document.readyState, location.protocol]")
                if state == ["complete", "file:"]:
                    return
            time.sleep(0.05)
        raise TimeoutError("the page did not load")

    def resize(self, width: int, height: int) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", session=True, **params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def requests(self) -> list[str]:
        """Every URL the page requested, its own file: URL included."""
        return list(self.seen)
