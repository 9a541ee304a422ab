"""One Python code context: an IPython shell driven by sandboxd over fd 3.

sandboxd starts this ahead of time (a warm spare), so the interpreter and IPython are
loaded before the first call. The channel is a Unix socket on fd 3 carrying JSON lines:

  in:  {"op": "configure", "cwd": str, "env": {str: str}}
       {"op": "execute", "id": int, "code": str}
  out: {"ev": "ready", "version": str}
       {"ev": "stdout" | "stderr", "id": int, "text": str}
       {"ev": "result", "id": int, "main": bool, "data": {mime: str}, "chart": {...}}
       {"ev": "error", "id": int, "name": str, "message": str, "traceback": str, "line": int}
       {"ev": "done", "id": int, "count": int, "interrupted": bool}

Interrupts are SIGINT, as in a notebook. Output that bypasses sys.stdout (child
processes, C code) reaches sandboxd on fds 1 and 2, which it reads itself.
"""

import base64
import codecs
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import traceback

# Figures display at the end of a cell, the ipykernel way: matplotlib_inline hooks into
# the shell when matplotlib is first imported, so start-up does not pay for matplotlib.
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

from IPython.core.displayhook import DisplayHook  # noqa: E402
from IPython.core.displaypub import DisplayPublisher  # noqa: E402
from IPython.core.formatters import BaseFormatter  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from traitlets import ObjectName, Unicode  # noqa: E402
from traitlets.config import Config  # noqa: E402

CHART_MIME = "application/vnd.sandboxes.chart+json"

outbox = queue.Queue()
current = {"id": 0}


def writer(channel):
    # The only thread that writes the channel: a KeyboardInterrupt raised in the main
    # thread can then never cut a message in half.
    while True:
        batch = [outbox.get()]
        # Prints in a loop arrive as many small writes; adjacent ones of one stream
        # travel as one event.
        while len(batch) < 1000:
            try:
                message = outbox.get_nowait()
            except queue.Empty:
                break
            last = batch[-1]
            if message["ev"] in ("stdout", "stderr") and last["ev"] == message["ev"] and last["id"] == message["id"]:
                last["text"] += message["text"]
            else:
                batch.append(message)
        # Raw UTF-8, so a lone surrogate (undecodable bytes) becomes "?" rather than an
        # escape that strict JSON readers refuse.
        data = "".join(json.dumps(m, default=str, ensure_ascii=False) + "\n" for m in batch).encode("utf-8", "replace")
        channel.sendall(data)


def emit(**message):
    outbox.put(message)


class EventStream:
    """sys.stdout / sys.stderr: each write becomes an event of the running execution."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, name):
        self.name = name

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            emit(ev=self.name, id=current["id"], text=text)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True

    def readable(self):
        return False

    def fileno(self):
        # Code that asks for a descriptor (faulthandler, subprocess) gets the real one,
        # which sandboxd reads.
        return 1 if self.name == "stdout" else 2


def jsonable(data):
    out = {}
    for mime, value in data.items():
        if isinstance(value, (bytes, bytearray)):
            out[mime] = base64.b64encode(value).decode("ascii")
        elif isinstance(value, (dict, list)):
            out[mime] = json.dumps(value, default=str)
        else:
            out[mime] = str(value)
    return out


def publish(data, main):
    data = dict(data)
    chart = data.pop(CHART_MIME, None)
    message = {"ev": "result", "id": current["id"], "main": main, "data": jsonable(data)}
    if chart:
        message["chart"] = chart
    outbox.put(message)


class Publisher(DisplayPublisher):
    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        publish(data, main=False)

    def clear_output(self, wait=False):
        pass


class Hook(DisplayHook):
    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        publish(format_dict, main=True)

    def finish_displayhook(self):
        pass


def numbers(values):
    out = []
    for value in list(values):
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            out.append(str(value))
    return out


def axes_chart(axes):
    chart = {
        "type": "unknown",
        "title": axes.get_title() or "",
        "x_label": axes.get_xlabel() or "",
        "y_label": axes.get_ylabel() or "",
        "series": [],
    }
    bars = [c for c in axes.containers if type(c).__name__ == "BarContainer"]
    if bars:
        chart["type"] = "bar"
        ticks = {round(t, 6): label.get_text() for t, label in zip(axes.get_xticks(), axes.get_xticklabels())}
        for index, container in enumerate(bars):
            x, y = [], []
            for patch in container.patches:
                center = patch.get_x() + patch.get_width() / 2
                x.append(ticks.get(round(center, 6)) or float(center))
                y.append(float(patch.get_height()))
            label = container.get_label()
            chart["series"].append({"label": label if label and not label.startswith("_") else f"series {index}", "x": x, "y": y})
        return chart
    lines = axes.get_lines()
    if lines:
        chart["type"] = "line"
        for index, line in enumerate(lines):
            label = line.get_label()
            chart["series"].append({
                "label": label if label and not label.startswith("_") else f"series {index}",
                "x": numbers(line.get_xdata()),
                "y": numbers(line.get_ydata()),
            })
        return chart
    collections = [c for c in axes.collections if type(c).__name__ == "PathCollection"]
    if collections:
        chart["type"] = "scatter"
        for index, collection in enumerate(collections):
            points = collection.get_offsets()
            label = collection.get_label()
            chart["series"].append({
                "label": label if label and not label.startswith("_") else f"series {index}",
                "x": numbers(points[:, 0]),
                "y": numbers(points[:, 1]),
            })
    return chart


def figure_chart(figure):
    charts = [axes_chart(axes) for axes in figure.get_axes()]
    if not charts:
        return None
    if len(charts) == 1:
        chart = charts[0]
        if not chart["title"] and figure._suptitle is not None:
            chart["title"] = figure._suptitle.get_text()
        return chart
    title = figure._suptitle.get_text() if figure._suptitle is not None else ""
    return {"type": "composite", "title": title, "charts": charts}


class ChartFormatter(BaseFormatter):
    """The chart's data beside its png. Not a type printer: the inline backend pops every
    formatter's printer for Figure when matplotlib loads."""

    format_type = Unicode(CHART_MIME)
    print_method = ObjectName("_repr_chart_")
    _return_type = dict

    def __call__(self, obj):
        cls = type(obj)
        if cls.__name__ != "Figure" or cls.__module__ != "matplotlib.figure":
            return None
        try:
            return figure_chart(obj)
        except Exception:  # a chart we cannot read still shows as an image
            return None


class Shell(InteractiveShell):
    displayhook_class = Hook
    display_pub_class = Publisher

    def _showtraceback(self, etype, evalue, stb):
        text = "\n".join(stb) if isinstance(stb, list) else str(stb)
        emit(ev="error", id=current["id"], name=getattr(etype, "__name__", str(etype)),
             message=str(evalue), traceback=text, line=error_line(evalue))

    def system(self, cmd):
        """`!cmd`: its stdout and stderr become the execution's, in order with print()'s,
        with plain newlines (IPython's default runs it on a pty, which writes CRLF)."""
        process = subprocess.Popen(self.var_expand(cmd, depth=1), shell=True, executable="/bin/sh",
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        pumps = [threading.Thread(target=pump, args=(process.stdout, "stdout", current["id"]), daemon=True),
                 threading.Thread(target=pump, args=(process.stderr, "stderr", current["id"]), daemon=True)]
        for thread in pumps:
            thread.start()
        try:
            process.wait()
        except KeyboardInterrupt:
            process.kill()
            process.wait()
            raise
        finally:
            for thread in pumps:
                thread.join()
            self.user_ns["_exit_code"] = process.returncode


def pump(stream, name, execution_id):
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    for chunk in iter(lambda: stream.read1(65536), b""):
        text = decoder.decode(chunk)
        if text:
            emit(ev=name, id=execution_id, text=text)
    tail = decoder.decode(b"", final=True)
    if tail:
        emit(ev=name, id=execution_id, text=tail)


def error_line(error):
    if isinstance(error, SyntaxError) and error.filename and "ipython-input" in error.filename:
        return error.lineno or 0
    line = 0
    tb = getattr(error, "__traceback__", None)
    while tb is not None:
        if "ipython-input" in tb.tb_frame.f_code.co_filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def make_shell():
    config = Config()
    config.InteractiveShell.colors = "NoColor"
    config.InteractiveShell.xmode = "Plain"
    config.HistoryManager.enabled = False
    # The png is exactly figsize x dpi, as the caller asked, not cropped to the drawing.
    config.InlineBackend.print_figure_kwargs = {"bbox_inches": None}
    shell = Shell.instance(config=config)
    shell.display_formatter.formatters[CHART_MIME] = ChartFormatter(parent=shell.display_formatter)
    return shell


def main():
    channel = socket.socket(fileno=3)
    threading.Thread(target=writer, args=(channel,), name="channel-writer", daemon=True).start()
    # Nothing reads this process's stdin; code that does gets end-of-file.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)

    sys.stdout = EventStream("stdout")
    sys.stderr = EventStream("stderr")
    shell = make_shell()
    # IPython's first cell sets up machinery that costs 10-30 ms; pay it before "ready".
    shell.run_cell("None", store_history=False, silent=True)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    emit(ev="ready", version="Python " + sys.version.split()[0])

    requests = channel.makefile("rb")
    while True:
        try:
            line = requests.readline()
        except KeyboardInterrupt:
            # An interrupt that arrived just after an execution ended.
            continue
        if not line:
            break
        request = json.loads(line)
        op = request.get("op")
        if op == "configure":
            if request.get("env"):
                os.environ.update(request["env"])
            if request.get("cwd"):
                os.chdir(request["cwd"])
        elif op == "execute":
            execute(shell, request["id"], request["code"])
    os._exit(0)


def execute(shell, execution_id, code):
    current["id"] = execution_id
    interrupted = False
    count = shell.execution_count
    if "\0" in code:
        emit(ev="error", id=execution_id, name="SyntaxError", message="source code cannot contain NUL characters",
             traceback="SyntaxError: source code cannot contain NUL characters", line=0)
        emit(ev="done", id=execution_id, count=count, interrupted=False)
        return
    try:
        result = shell.run_cell(code, store_history=True)
        count = result.execution_count or count
        error = result.error_in_exec or result.error_before_exec
        interrupted = isinstance(error, KeyboardInterrupt)
    except KeyboardInterrupt:
        # Landed outside the cell's own handler (in IPython's bookkeeping around it).
        interrupted = True
        emit(ev="error", id=execution_id, name="KeyboardInterrupt", message="", traceback="KeyboardInterrupt", line=0)
    except Exception as error:  # IPython itself failed on the code; the context lives on
        emit(ev="error", id=execution_id, name=type(error).__name__, message=str(error),
             traceback="".join(traceback.format_exception_only(error)), line=0)
    emit(ev="done", id=execution_id, count=count, interrupted=interrupted)


if __name__ == "__main__":
    main()
