// Rewrites of terser's output for the device program, each keeping the
// program's meaning (test/quickjs/post-terser.test.ts), each saving bytes
// terser leaves: rollup.config.js runs them as renderChunk plugins.
import { parseAst } from 'rollup/parseAst';

/** Identifier spellings by length, then as terser spells them: a, b, ..., aa, ab, ... */
export function* shortNames() {
  const first = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$_';
  const rest = first + '0123456789';
  for (let n = 0; ; n++) {
    let name = first[n % first.length];
    for (let k = Math.floor(n / first.length); k > 0; k = Math.floor((k - 1) / rest.length)) name += rest[(k - 1) % rest.length];
    yield name;
  }
}

/** Calls visit on each child node of node. */
function children(node, visit) {
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    if (Array.isArray(value)) value.forEach((v) => v && typeof v.type === 'string' && visit(v));
    else if (value && typeof value.type === 'string') visit(value);
  }
}

/**
 * The code with each edit { start, end, text } applied; edits must not
 * overlap. A space keeps a new name from running into a neighbouring word
 * (`return"x"` becomes `return x`, not `returnx`).
 */
function apply(code, edits) {
  const word = /[\w$]/;
  let out = '';
  let at = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    if (edit.start < at) throw new Error(`post-terser: overlapping edits at ${edit.start}`);
    out += code.slice(at, edit.start);
    const before = word.test(out[out.length - 1] ?? '') && word.test(edit.text[0] ?? '') ? ' ' : '';
    const after = word.test(edit.text[edit.text.length - 1] ?? '') && word.test(code[edit.end] ?? '') ? ' ' : '';
    out += before + edit.text + after;
    at = edit.end;
  }
  return out + code.slice(at);
}

/** Gives fresh identifiers, shortest first, none of them in `names` nor a keyword. */
function freshNames(names) {
  const pick = shortNames();
  return () => {
    let name = pick.next().value;
    while (names.has(name) || /^(?:do|if|in|as|of)$/.test(name)) name = pick.next().value;
    return name;
  };
}

/** An edit that declares `let <list>;` at module level, right after the imports. */
function declareAfterImports(ast, list) {
  const imports = ast.body.filter((s) => s.type === 'ImportDeclaration');
  const at = imports.length ? imports[imports.length - 1].end : 0;
  return { start: at, end: at, text: `let ${list.join(',')};` };
}

/**
 * `const` declarations become `let`, two bytes each. The sources are
 * type-checked, so nothing assigns to a const binding and the two mean the
 * same (block scope, the same temporal dead zone, one binding per loop turn).
 */
export function constToLet(code) {
  const edits = [];
  const walk = (node) => {
    if (node.type === 'VariableDeclaration' && node.kind === 'const') {
      if (code.slice(node.start, node.start + 5) !== 'const') throw new Error(`post-terser: no 'const' at ${node.start}`);
      edits.push({ start: node.start, end: node.start + 5, text: 'let' });
    }
    children(node, walk);
  };
  walk(parseAst(code));
  return apply(code, edits);
}

/**
 * A function that names `this` four times or more first copies it into a
 * local (`let e=this;`), and each use names the local: `this` is four bytes,
 * the local one. Arrow functions inside see the same `this`, so their uses
 * move too; other functions and classes inside have their own and are left
 * alone. A derived-class constructor has no `this` before super(): it takes
 * the local right after a leading super() call, or not at all. The local
 * takes a name the function never mentions, so it shadows nothing the
 * function reads.
 */
export function thisAlias(code) {
  const edits = [];
  /** Where the local goes, as an edit; undefined when it cannot go anywhere. */
  const slot = (fn, derived, local) => {
    const body = fn.body.body;
    if (!derived) {
      let at = fn.body.start + 1;
      for (const statement of body) if (statement.directive !== undefined) at = statement.end;
      return { start: at, end: at, text: `let ${local}=this;` };
    }
    const superCall = (e) => e?.type === 'CallExpression' && e.callee.type === 'Super';
    if (body[0]?.type !== 'ExpressionStatement') return undefined;
    const e = body[0].expression;
    if (e.type === 'SequenceExpression' && superCall(e.expressions[0])) {
      return { start: e.expressions[0].end, end: e.expressions[1].start, text: `;let ${local}=this;` };
    }
    if (superCall(e) && code[body[0].end - 1] === ';') return { start: body[0].end, end: body[0].end, text: `let ${local}=this;` };
    return undefined;
  };
  const alias = (fn, derived) => {
    const uses = [];
    const names = new Set();
    const collect = (node) => {
      if (node.type === 'Identifier') names.add(node.name);
      children(node, collect);
    };
    const find = (node) => {
      if (node.type === 'ThisExpression') uses.push(node);
      if (/^(Function|Class)/.test(node.type)) return collect(node);
      if (node.type === 'Identifier') names.add(node.name);
      children(node, find);
    };
    children(fn.body, find);
    fn.params.forEach(collect);
    const local = freshNames(names)();
    const put = slot(fn, derived, local);
    const after = put ? uses.filter((use) => use.start >= put.end) : [];
    if (after.length < 4) return;
    edits.push(put);
    for (const use of after) edits.push({ start: use.start, end: use.end, text: local });
  };
  const walk = (node, derived) => {
    if (/^Class/.test(node.type)) {
      if (node.superClass) walk(node.superClass, false);
      for (const member of node.body.body) {
        if (member.key && member.computed) walk(member.key, false);
        if (member.value) walk(member.value, member.kind === 'constructor' && node.superClass !== null);
      }
      return;
    }
    if (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration') alias(node, derived);
    children(node, (child) => walk(child, false));
  };
  walk(parseAst(code), false);
  return apply(code, edits);
}

/** Globals the program may read through a module-level alias. */
const GLOBALS = ['Array', 'BigInt', 'DataView', 'Error', 'JSON', 'Map', 'Math', 'Number', 'Object', 'RangeError', 'Set', 'String', 'TypeError', 'Uint8Array'];
/** Static functions that do not read `this`, so calling one through an alias is the same call. */
const STATICS = /^(?:Array\.isArray|JSON\.(?:parse|stringify)|Math\.\w+|Number\.is(?:Integer|Finite)|String\.from(?:CharCode|CodePoint)|Object\.(?:keys|values|entries|assign|freeze|fromEntries))$/;

/** terser's spelling of undefined. */
const UNDEFINED = 'void 0';

/**
 * A global (Uint8Array) or one of its static functions (Math.min) named often
 * enough is read once into a module-level alias that the uses then name:
 * `let Qa=Math.min;` and `Qa(a,b)`. A string literal written often enough
 * ("established") likewise, and `void 0` becomes a variable that is declared
 * and never assigned. A global some binding in the program shadows is left
 * alone; an alias takes a name the program never mentions.
 */
export function globalAlias(code) {
  const ast = parseAst(code);
  const names = new Set();
  const bound = new Set();
  const uses = new Map();
  const bind = (pattern) => {
    if (pattern?.type === 'Identifier') bound.add(pattern.name);
    else if (pattern) children(pattern, bind);
  };
  const walk = (node, parent, key) => {
    if (node.type === 'Identifier') names.add(node.name);
    if (node.type === 'VariableDeclarator') bind(node.id);
    if (/^(Function|Class)/.test(node.type)) bind(node.id);
    if (/Function/.test(node.type)) node.params.forEach(bind);
    if (node.type === 'CatchClause') bind(node.param);
    if (node.type === 'ImportSpecifier' || node.type === 'ImportNamespaceSpecifier' || node.type === 'ImportDefaultSpecifier') bind(node.local);
    const isName = (n, p, k) => n.type === 'Identifier' && GLOBALS.includes(n.name)
      && !(p.type === 'MemberExpression' && k === 'property' && !p.computed)
      && !((p.type === 'Property' || p.type === 'MethodDefinition' || p.type === 'PropertyDefinition') && k === 'key' && !p.computed)
      && !(p.type === 'Property' && p.shorthand);
    if (node.type === 'MemberExpression' && !node.computed && isName(node.object, node, 'object')) {
      const full = `${node.object.name}.${node.property.name}`;
      if (STATICS.test(full)) {
        if (!uses.has(full)) uses.set(full, []);
        uses.get(full).push(node);
        names.add(node.object.name);
        return;
      }
    }
    const use = (what) => {
      if (!uses.has(what)) uses.set(what, []);
      uses.get(what).push(node);
    };
    if (node.type === 'UnaryExpression' && node.operator === 'void' && node.argument.type === 'Literal' && node.argument.value === 0) return use(UNDEFINED);
    // A string as a value: not a property name, a module name or a directive, where only a literal may stand.
    if (node.type === 'Literal' && typeof node.value === 'string' && !/^(Import|Export)/.test(parent.type)
      && !(/^(Property|MethodDefinition|PropertyDefinition)$/.test(parent.type) && key === 'key' && !parent.computed)
      && parent.directive === undefined) return use(code.slice(node.start, node.end));
    if (parent && isName(node, parent, key)) {
      if (!uses.has(node.name)) uses.set(node.name, []);
      uses.get(node.name).push(node);
    }
    for (const [k, value] of Object.entries(node)) {
      if (k === 'type' || k === 'start' || k === 'end') continue;
      if (Array.isArray(value)) value.forEach((v) => v && typeof v.type === 'string' && walk(v, node, k));
      else if (value && typeof value.type === 'string') walk(value, node, k);
    }
  };
  walk(ast, undefined, undefined);
  const next = freshNames(names);
  const edits = [];
  const declared = [];
  for (const [global, list] of [...uses].sort((a, b) => b[1].length - a[1].length)) {
    if (/^\w/.test(global) && bound.has(global.split('.')[0])) continue;
    const alias = next();
    const saved = global === UNDEFINED
      ? list.length * (global.length - alias.length) - (alias.length + 1)
      : list.length * (global.length - alias.length) - (alias.length + global.length + 2);
    if (saved <= 0) continue;
    declared.push(global === UNDEFINED ? alias : `${alias}=${global}`);
    for (const use of list) edits.push({ start: use.start, end: use.end, text: alias });
  }
  if (declared.length === 0) return code;
  edits.push(declareAfterImports(ast, declared));
  return apply(code, edits);
}

/** Whether a function names `this`, `arguments`, `new.target` or `super` itself (arrows would see the outer ones). */
function ownsContext(fn) {
  let found = false;
  const look = (node) => {
    if (found) return;
    if (node.type === 'ThisExpression' || node.type === 'MetaProperty' || node.type === 'Super' || (node.type === 'Identifier' && node.name === 'arguments')) found = true;
    else if (!/^(Function|Class)/.test(node.type)) children(node, look);
  };
  children(fn.body, look);
  fn.params.forEach(look);
  return found;
}

/**
 * A top-level function declaration becomes a `let` bound to an arrow
 * function: `function f(t){return t+1}` is `let f=t=>t+1;`. Only where that
 * means the same: the function does not use its own `this`, `arguments` or
 * `new.target`, is no generator, is never called with `new`, and nothing
 * names it before its declaration (a `let` is not hoisted).
 */
export function functionsToArrows(code) {
  const ast = parseAst(code);
  const first = new Map();
  const constructed = new Set();
  const note = (node) => {
    if (node.type === 'Identifier' && !first.has(node.name)) first.set(node.name, node.start);
    if (node.type === 'NewExpression' && node.callee.type === 'Identifier') constructed.add(node.callee.name);
    children(node, note);
  };
  note(ast);
  const edits = [];
  for (const fn of ast.body) {
    if (fn.type !== 'FunctionDeclaration' || fn.generator || constructed.has(fn.id.name) || first.get(fn.id.name) !== fn.id.start || ownsContext(fn)) continue;
    const text = (node) => code.slice(node.start, node.end);
    const params = fn.params.length === 1 && fn.params[0].type === 'Identifier'
      ? text(fn.params[0])
      : `(${fn.params.map(text).join(',')})`;
    const only = fn.body.body.length === 1 ? fn.body.body[0] : undefined;
    let body = text(fn.body);
    if (only?.type === 'ReturnStatement' && only.argument) {
      const value = text(only.argument);
      body = value.startsWith('{') || only.argument.type === 'SequenceExpression' ? `(${value})` : value;
    }
    edits.push({ start: fn.start, end: fn.end, text: `let ${fn.id.name}=${fn.async ? 'async ' : ''}${params}=>${body};` });
  }
  return apply(code, edits);
}

/** Consecutive `let` statements become one: `let a=1;let b=2` is `let a=1,b=2`. */
export function joinLets(code) {
  const edits = [];
  const list = (statements) => {
    for (let i = 1; i < statements.length; i++) {
      const [a, b] = [statements[i - 1], statements[i]];
      const lets = a.type === 'VariableDeclaration' && a.kind === 'let' && b.type === 'VariableDeclaration' && b.kind === 'let';
      if (lets && code[a.end - 1] === ';' && a.end === b.start) edits.push({ start: a.end - 1, end: b.start + 4, text: ',' });
    }
  };
  const walk = (node) => {
    if (node.type === 'Program' || node.type === 'BlockStatement' || node.type === 'StaticBlock') list(node.body);
    if (node.type === 'SwitchCase') list(node.consequent);
    children(node, walk);
  };
  walk(parseAst(code));
  return apply(code, edits);
}

/**
 * `throw new E(a,b)` becomes a call of one module-level thrower,
 * `Tz(E,a,b)`, which throws the same `new E(a,b)`: seven bytes less a
 * statement. The only difference is one more frame in the error's stack.
 */
export function throwCalls(code) {
  const ast = parseAst(code);
  const names = new Set();
  const sites = [];
  const walk = (node) => {
    if (node.type === 'Identifier') names.add(node.name);
    if (node.type === 'ThrowStatement' && node.argument.type === 'NewExpression' && node.argument.callee.type === 'Identifier') sites.push(node);
    children(node, walk);
  };
  walk(ast);
  if (sites.length < 6) return code;
  const thrower = freshNames(names)();
  const edits = sites.map((site) => {
    const made = site.argument;
    const args = [made.callee, ...made.arguments].map((a) => code.slice(a.start, a.end));
    return { start: site.start, end: made.end, text: `${thrower}(${args.join(',')})` };
  });
  edits.push(declareAfterImports(ast, [`${thrower}=(e,...a)=>{throw new e(...a)}`]));
  return apply(code, edits);
}

/** Properties read on hot paths (the codec's loops, the cache): they stay named, the fastest access in QuickJS. */
const HOT = new Set(['length', 'push', 'get', 'set', 'has', 'type', 'name', 'class', 'data', 'ttl', 'slice', 'subarray', 'charCodeAt', 'codePointAt', 'setUint16', 'setUint32', 'size']);

/**
 * A long property name that terser had to keep whole (a library method, an
 * API field) and that the program reads often is read through a
 * module-level string alias: `o.filter(f)` becomes `o[Qa](f)` with
 * `Qa="filter"`. The same property either way; QuickJS looks a computed name
 * up in its atom table, a little slower, so names on hot paths (HOT) stay.
 */
export function propertyAlias(code) {
  const ast = parseAst(code);
  const names = new Set();
  const uses = new Map();
  const walk = (node) => {
    if (node.type === 'Identifier') names.add(node.name);
    if (node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier' && !HOT.has(node.property.name)) {
      if (!uses.has(node.property.name)) uses.set(node.property.name, []);
      uses.get(node.property.name).push(node);
    }
    children(node, walk);
  };
  walk(ast);
  const next = freshNames(names);
  const edits = [];
  const declared = [];
  for (const [property, list] of [...uses].sort((a, b) => b[1].length * b[0].length - a[1].length * a[0].length)) {
    const alias = next();
    // `.name` becomes `[alias]`; the alias costs `alias="name",`.
    const saved = list.length * (property.length - alias.length - 1) - (alias.length + property.length + 4);
    if (saved <= 0) continue;
    declared.push(`${alias}="${property}"`);
    for (const use of list) {
      const dot = code.lastIndexOf(use.optional ? '?.' : '.', use.property.start);
      edits.push({ start: dot, end: use.property.end, text: `${use.optional ? '?.' : ''}[${alias}]` });
    }
  }
  if (declared.length === 0) return code;
  edits.push(declareAfterImports(ast, declared));
  return apply(code, edits);
}
