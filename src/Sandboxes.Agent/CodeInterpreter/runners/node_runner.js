'use strict';
// One JavaScript or TypeScript code context: a vm context on Node driven by sandboxd over
// fd 3, with the same JSON-lines protocol as python_runner.py:
//
//   argv: node node_runner.js javascript|typescript
//   in:  {"op": "configure", "cwd": str, "env": {...}}
//        {"op": "execute", "id": int, "code": str}
//   out: {"ev": "ready", "version": str}
//        {"ev": "stdout" | "stderr", "id": int, "text": str}
//        {"ev": "result", "id": int, "main": bool, "data": {mime: str}}
//        {"ev": "error", "id": int, "name": str, "message": str, "traceback": str, "line": int}
//        {"ev": "done", "id": int, "count": int, "interrupted": bool}
//
// Top-level let, const, function and class declarations persist between executions, as in
// Node's REPL, and so does what a cell with top-level await declares. A Promise as the last
// value is awaited. SIGINT interrupts: synchronous code through vm's breakOnSigint, a pending
// promise by giving up on it.

const fs = require('fs');
const net = require('net');
const path = require('path');
const readline = require('readline');
const util = require('util');
const vm = require('vm');
const { Console } = require('console');
const { Writable } = require('stream');
const { createRequire } = require('module');

const CHANNEL = 3;
let currentId = 0;
let executionCount = 0;
const language = process.argv[2] === 'typescript' ? 'typescript' : 'javascript';
// Loaded before "ready" (a warm TypeScript context has paid for it): about 250 ms.
const typescript = language === 'typescript' ? require('typescript') : null;
let pendingInterrupt = null;

// JSON.stringify escapes a lone surrogate as \udXXX, which strict JSON readers refuse.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const wellFormed = (key, value) => (typeof value === 'string' ? value.replace(loneSurrogate, '\ufffd') : value);

// Synchronous writes, so output streams while synchronous code is still running.
function emit(message) {
  const data = Buffer.from(JSON.stringify(message, wellFormed) + '\n', 'utf8');
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += fs.writeSync(CHANNEL, data, offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') {
        throw error;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

function eventStream(name) {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk, encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.length > 0) {
        emit({ ev: name, id: currentId, text });
      }
      callback();
    },
  });
  return stream;
}

const stdout = eventStream('stdout');
const stderr = eventStream('stderr');
const contextConsole = new Console({ stdout, stderr, colorMode: false });

function bundle(value) {
  const data = { 'text/plain': typeof value === 'string' ? value : util.inspect(value, { depth: 4, colors: false }) };
  if (value !== null && typeof value === 'object' && !(value instanceof Error)) {
    try {
      const json = JSON.stringify(value);
      if (json !== undefined) {
        data['application/json'] = json;
      }
    } catch {
      // Not JSON (a cycle, a BigInt): text only.
    }
  }
  return data;
}

function publish(data, main) {
  emit({ ev: 'result', id: currentId, main, data });
}

// display(value) shows a value; display.html(...) and friends show one format.
function display(value) {
  publish(bundle(value), false);
}
const base64 = (v) => (Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('base64') : String(v));
display.html = (html) => publish({ 'text/html': String(html), 'text/plain': '[html]' }, false);
display.markdown = (md) => publish({ 'text/markdown': String(md), 'text/plain': String(md) }, false);
display.svg = (svg) => publish({ 'image/svg+xml': String(svg), 'text/plain': '[svg]' }, false);
display.png = (png) => publish({ 'image/png': base64(png), 'text/plain': '[png]' }, false);
display.jpeg = (jpeg) => publish({ 'image/jpeg': base64(jpeg), 'text/plain': '[jpeg]' }, false);
display.latex = (latex) => publish({ 'text/latex': String(latex), 'text/plain': String(latex) }, false);
display.json = (value) => publish({ 'application/json': JSON.stringify(value), 'text/plain': util.inspect(value, { depth: 4 }) }, false);
display.mime = (data) => publish(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : base64(v)])), false);

const contextProcess = new Proxy(process, {
  get(target, key) {
    if (key === 'stdout') return stdout;
    if (key === 'stderr') return stderr;
    return Reflect.get(target, key);
  },
});

function makeContext() {
  const sandbox = {
    console: contextConsole,
    process: contextProcess,
    display,
    Buffer,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    AbortController,
    AbortSignal,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    setImmediate,
    clearImmediate,
    queueMicrotask,
    structuredClone,
    performance,
    fetch: globalThis.fetch,
    module: { exports: {} },
  };
  sandbox.exports = sandbox.module.exports;
  sandbox.require = createRequire(path.join(process.cwd(), '[context].js'));
  const context = vm.createContext(sandbox, { name: 'code context' });
  sandbox.globalThis = vm.runInContext('globalThis', context);
  return context;
}

let context = makeContext();

function transpile(code) {
  if (language !== 'typescript') {
    return code;
  }
  const output = typescript.transpileModule(code, {
    reportDiagnostics: true,
    compilerOptions: {
      target: typescript.ScriptTarget.ES2022,
      module: typescript.ModuleKind.CommonJS,
      esModuleInterop: true,
      sourceMap: false,
    },
  });
  const problems = (output.diagnostics || []).filter((d) => d.category === typescript.DiagnosticCategory.Error);
  if (problems.length > 0) {
    const first = problems[0];
    const line = first.file && first.start !== undefined ? first.file.getLineAndCharacterOfPosition(first.start).line + 1 : 0;
    const error = new SyntaxError(typescript.flattenDiagnosticMessageText(first.messageText, '\n'));
    error.cellLine = line;
    throw error;
  }
  return output.outputText;
}

// Top-level await, the way Node's REPL does it: the cell becomes an async function, its
// declarations become assignments to context globals declared ahead of it (so they persist
// like any other cell's), and its last expression is returned. Parsed with Debian's
// typescript, loaded on the first such cell (about 250 ms) in a JavaScript context.
let parser = typescript;
function wrapTopLevelAwait(js) {
  parser ??= require('typescript');
  const ts = parser;
  const source = ts.createSourceFile('cell.js', js, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const hoisted = [];
  const edits = [];
  const collect = (name) => {
    if (ts.isIdentifier(name)) {
      hoisted.push(name.text);
    } else {
      name.elements.forEach((element) => ts.isOmittedExpression(element) || collect(element.name));
    }
  };
  source.statements.forEach((statement, index) => {
    const start = statement.getStart(source);
    const end = statement.getEnd();
    if (ts.isVariableStatement(statement)) {
      const parts = statement.declarationList.declarations.map((declaration) => {
        collect(declaration.name);
        return declaration.initializer ? `(${declaration.name.getText(source)} = ${declaration.initializer.getText(source)})` : 'undefined';
      });
      edits.push({ start, end, text: `void (${parts.join(', ')});` });
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      hoisted.push(statement.name.text);
      edits.push({ start, end, text: `${statement.name.text} = ${statement.getText(source)};` });
    } else if (index === source.statements.length - 1 && ts.isExpressionStatement(statement)) {
      edits.push({ start, end, text: `return (${statement.expression.getText(source)});` });
    }
  });
  let body = js;
  for (const edit of edits.reverse()) {
    body = body.slice(0, edit.start) + edit.text + body.slice(edit.end);
  }
  // A name an earlier cell declared (with let, say) is assigned, not declared again.
  const fresh = [...new Set(hoisted)].filter((name) => {
    try {
      vm.runInContext(name, context);
      return false;
    } catch {
      return true;
    }
  });
  // On the cell's first line, so error line numbers still match the code sent.
  return `${fresh.length > 0 ? `var ${fresh.join(', ')}; ` : ''}(async () => { ${body}\n})()`;
}

function compile(code, filename) {
  const js = transpile(code);
  try {
    return new vm.Script(js, { filename });
  } catch (error) {
    if (error instanceof SyntaxError && /await is only valid/.test(error.message)) {
      return new vm.Script(wrapTopLevelAwait(js), { filename });
    }
    throw error;
  }
}

function lineOf(error, filename) {
  if (error && typeof error.cellLine === 'number') {
    return error.cellLine;
  }
  const stack = error && typeof error.stack === 'string' ? error.stack : '';
  const match = stack.match(new RegExp(filename.replace(/[.[\]]/g, '\\$&') + ':(\\d+)'));
  return match ? Number(match[1]) : 0;
}

// The stack down to the cell's own frames; the runner's frames below them are noise.
function cellStack(error) {
  const lines = String(error.stack).split('\n');
  const end = lines.findIndex((line) => /node:vm|node_runner\.js|sigintHandlersWrap/.test(line));
  return (end > 0 ? lines.slice(0, end) : lines).join('\n');
}

function reportError(error, filename) {
  const isError = error !== null && typeof error === 'object' && 'message' in error;
  emit({
    ev: 'error',
    id: currentId,
    name: isError ? String(error.name || 'Error') : 'Error',
    message: isError ? String(error.message) : `Uncaught ${util.inspect(error)}`,
    traceback: isError && error.stack ? cellStack(error) : util.inspect(error),
    line: lineOf(error, filename),
  });
}

function finish(interrupted) {
  pendingInterrupt = null;
  emit({ ev: 'done', id: currentId, count: executionCount, interrupted });
}

async function execute(id, code) {
  currentId = id;
  executionCount += 1;
  const filename = `cell-${executionCount}.${language === 'typescript' ? 'ts' : 'js'}`;
  let value;
  try {
    const script = compile(code, filename);
    value = script.runInContext(context, { breakOnSigint: true, displayErrors: false });
  } catch (error) {
    const interrupted = error && error.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
    reportError(interrupted ? Object.assign(new Error('Script execution interrupted.'), { name: 'Interrupted', stack: 'Interrupted: execution interrupted' }) : error, filename);
    finish(interrupted);
    return;
  }

  if (value !== null && typeof value === 'object' && typeof value.then === 'function') {
    const interrupt = new Promise((resolve) => { pendingInterrupt = resolve; });
    try {
      const outcome = await Promise.race([Promise.resolve(value).then((v) => ({ v })), interrupt]);
      if (outcome === 'interrupted') {
        reportError(Object.assign(new Error('Awaiting the promise was interrupted; it may still settle later.'), { name: 'Interrupted', stack: 'Interrupted: execution interrupted' }), filename);
        finish(true);
        return;
      }
      value = outcome.v;
    } catch (error) {
      reportError(error, filename);
      finish(false);
      return;
    }
  }

  if (value !== undefined) {
    publish(bundle(value), true);
  }
  finish(false);
}

function configure(request) {
  if (request.env) {
    Object.assign(process.env, request.env);
  }
  if (request.cwd) {
    process.chdir(request.cwd);
  }
  // require() resolves from the new working directory.
  context = makeContext();
}

function main() {
  // Nothing reads this process's stdin for the code; a child that inherits it gets EOF.
  process.on('SIGINT', () => {
    if (pendingInterrupt) {
      pendingInterrupt('interrupted');
    }
  });
  // An error thrown later by a callback belongs to no execution; report it and go on.
  process.on('uncaughtException', (error) => {
    emit({ ev: 'stderr', id: currentId, text: `Uncaught ${error && error.stack ? error.stack : util.inspect(error)}\n` });
  });
  process.on('unhandledRejection', (reason) => {
    emit({ ev: 'stderr', id: currentId, text: `Unhandled rejection: ${reason && reason.stack ? reason.stack : util.inspect(reason)}\n` });
  });

  const channel = new net.Socket({ fd: CHANNEL, readable: true, writable: false });
  const lines = readline.createInterface({ input: channel, crlfDelay: Infinity });
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    const request = JSON.parse(line);
    queue = queue.then(() => (request.op === 'execute' ? execute(request.id, request.code) : configure(request)));
  });
  lines.on('close', () => process.exit(0));
  emit({ ev: 'ready', version: `Node ${process.version}` });
}

main();
