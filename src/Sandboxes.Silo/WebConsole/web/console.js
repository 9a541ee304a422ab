// The Sandboxes web console: lists sandboxes, opens a terminal into one (xterm.js over the
// silo's terminal WebSocket), and shows its exposed ports as preview links. Plain browser
// JavaScript with xterm.js's UMD builds; the page is only served with the console cookie.
"use strict";

const api = async (path, options) => {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.message || `${response.status} ${response.statusText}`);
  }
  return body;
};

const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
};

let selected = null;
let terminal = null;
let socket = null;
let fit = null;

async function refreshSandboxes() {
  try {
    const { sandboxes } = await api("/console/api/sandboxes");
    const body = document.querySelector("#sandboxes tbody");
    body.replaceChildren(...sandboxes.map(box => el("tr", { class: box.name === selected ? "selected" : "", "data-name": box.name },
      el("td", {}, el("code", {}, box.name)),
      el("td", {}, el("span", { class: `state ${box.state}` }, box.state)),
      el("td", {}, ...Object.entries(box.labels).map(([k, v]) => el("span", { class: "label" }, `${k}=${v}`))),
      el("td", {}, el("button", { type: "button", class: "open-terminal", onclick: () => openTerminal(box.name) }, "Terminal")))));
    document.getElementById("empty").hidden = sandboxes.length > 0;
    document.getElementById("status").textContent = `${sandboxes.length} sandbox${sandboxes.length === 1 ? "" : "es"}`;
  } catch (error) {
    document.getElementById("status").textContent = `could not list sandboxes: ${error.message}`;
  }
}

async function refreshPorts() {
  if (!selected) return;
  const { ports } = await api(`/console/api/sandboxes/${encodeURIComponent(selected)}/ports`);
  document.getElementById("port-list").replaceChildren(...(ports.length
    ? ports.map(p => el("li", {}, `${p.port}${p.name ? ` (${p.name})` : ""}: `, el("a", { href: p.url, target: "_blank", rel: "noopener", class: "preview-link" }, p.url)))
    : [el("li", {}, "none yet")]));
}

function closeTerminal() {
  socket?.close();
  terminal?.dispose();
  socket = terminal = fit = null;
}

function openTerminal(name) {
  closeTerminal();
  selected = name;
  document.getElementById("detail-pane").hidden = false;
  document.getElementById("detail-name").textContent = name;
  for (const row of document.querySelectorAll("#sandboxes tr[data-name]")) {
    row.classList.toggle("selected", row.dataset.name === name);
  }

  terminal = new Terminal({ cursorBlink: true, fontSize: 14, convertEol: false, theme: { background: "#111111" } });
  fit = new FitAddon.FitAddon();
  terminal.loadAddon(fit);
  terminal.open(document.getElementById("terminal"));
  fit.fit();

  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/terminals/${encodeURIComponent(name)}?cols=${terminal.cols}&rows=${terminal.rows}`);
  socket.binaryType = "arraybuffer";
  terminal.loadAddon(new AttachAddon.AttachAddon(socket));
  socket.addEventListener("close", event => {
    terminal?.write(`\r\n\x1b[2m[terminal closed${event.reason ? `: ${event.reason}` : ""}]\x1b[0m\r\n`);
  });
  terminal.onResize(({ cols, rows }) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "resize", cols, rows }));
  });
  terminal.focus();
  refreshPorts();
}

document.getElementById("close-terminal").addEventListener("click", () => {
  closeTerminal();
  document.getElementById("detail-pane").hidden = true;
  selected = null;
  refreshSandboxes();
});

document.getElementById("expose-form").addEventListener("submit", async event => {
  event.preventDefault();
  const error = document.getElementById("expose-error");
  error.textContent = "";
  try {
    const port = document.getElementById("expose-port").value;
    await api(`/console/api/sandboxes/${encodeURIComponent(selected)}/ports?port=${encodeURIComponent(port)}`, { method: "POST" });
    await refreshPorts();
  } catch (e) {
    error.textContent = e.message;
  }
});

window.addEventListener("resize", () => fit?.fit());
refreshSandboxes();
setInterval(refreshSandboxes, 5000);
setInterval(() => refreshPorts().catch(() => {}), 5000);
