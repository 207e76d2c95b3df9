// The property names the device bundle must keep whole when terser shortens
// property names (rollup.config.js). A name is shortened only when every use
// of it in the bundled sources is provably internal; it is kept when any use
//   - reaches the program's edge: a property of the `Edge` type
//     (platform/quickjs/edge.ts), its members, parameters and results, deep;
//   - resolves to a declaration outside the bundled sources (the JS and DOM
//     libraries, a .d.ts such as qjs.d.ts, node_modules) or to none at all
//     (an index signature, `any`);
//   - is an object-literal property whose contextual type does not declare it
//     (an object handed to JSON.stringify, a log call, an `unknown` detail);
//   - is a string element access or a key that Object.keys/entries/values
//     enumerate;
//   - also appears as a string literal (a `keyof` argument, `'x' in o`),
//     unless only as the text of a thrown error.
// Terser shortens by name, not by binding, so one kept use keeps the name.
import ts from 'typescript';
import { dirname, resolve, sep } from 'node:path';

/** Names the runtime reads without our code naming them as properties. */
const RUNTIME = ['constructor', 'prototype', 'then', 'toString', 'toJSON', 'valueOf', 'length', 'name', 'message',
  'stack', 'next', 'done', 'value', 'default', '__proto__', 'raw'];

/**
 * @param {{ tsconfig: string, entry: string, edge: { file: string, type: string }, sources: string[] }} o
 *   sources: directories whose non-.d.ts files are bundled.
 * @returns {{ kept: string[], shortened: string[], uses: Record<string, number> }}
 *   uses: how often each name occurs in the sources, so the most used can get the shortest replacements.
 */
export function keptNames(o) {
  const root = dirname(resolve(o.tsconfig));
  const parsed = ts.getParsedCommandLineOfConfigFile(resolve(o.tsconfig), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  const program = ts.createProgram([resolve(o.entry), resolve(o.edge.file)], parsed.options);
  const checker = program.getTypeChecker();
  const dirs = o.sources.map((d) => resolve(root, d) + sep);
  const ours = (file) => !file.endsWith('.d.ts') && dirs.some((d) => file.startsWith(d));
  const kept = new Set(RUNTIME);
  const seen = new Set();
  const uses = {};

  const see = (name) => {
    seen.add(name);
    uses[name] = (uses[name] ?? 0) + 1;
  };
  const internal = (symbol) => {
    const decls = symbol?.declarations;
    return !!decls?.length && decls.every((d) => ours(d.getSourceFile().fileName));
  };

  // The edge: every property name reachable from the Edge type.
  const visited = new Set();
  const walkType = (type) => {
    if (!type || visited.has(type)) return;
    visited.add(type);
    if (type.isUnionOrIntersection()) return type.types.forEach(walkType);
    for (const arg of checker.getTypeArguments?.(type) ?? []) walkType(arg);
    for (const arg of type.aliasTypeArguments ?? []) walkType(arg);
    const own = internal(type.getSymbol()) || (type.flags & ts.TypeFlags.Object && type.objectFlags & ts.ObjectFlags.Anonymous);
    if (own) {
      for (const p of type.getProperties()) {
        const flags = p.valueDeclaration ? ts.getCombinedModifierFlags(p.valueDeclaration) : 0;
        if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
        kept.add(p.name);
        walkType(checker.getTypeOfSymbol(p));
      }
    }
    for (const sig of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      for (const p of sig.getParameters()) walkType(checker.getTypeOfSymbol(p));
      walkType(sig.getReturnType());
    }
    for (const info of checker.getIndexInfosOfType(type)) walkType(info.type);
  };
  const edgeFile = program.getSourceFile(resolve(o.edge.file));
  const edge = edgeFile?.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === o.edge.type);
  if (!edge) throw new Error(`kept-names: no interface ${o.edge.type} in ${o.edge.file}`);
  walkType(checker.getTypeAtLocation(edge.name));

  const keepAll = (type) => { for (const p of checker.getApparentType(type).getProperties()) kept.add(p.name); };
  const decide = (name, symbol) => {
    see(name);
    if (!internal(symbol)) kept.add(name);
  };
  const contextualProperty = (literal, name) => {
    const type = checker.getContextualType(literal);
    if (!type) return { found: true, symbol: undefined, free: true };
    for (const t of type.isUnion() ? type.types : [type]) {
      const p = checker.getPropertyOfType(checker.getApparentType(t), name);
      if (p) return { found: true, symbol: p };
    }
    return { found: false };
  };

  /** Text that only goes into a thrown error (`throw new E(['a', 'b'][i])`, `throw new E(x ? 'a' : 'b')`) names no key. */
  const thrownText = (node) => {
    let at = node;
    while (ts.isArrayLiteralExpression(at.parent) || ts.isConditionalExpression(at.parent) || ts.isParenthesizedExpression(at.parent)
      || (ts.isElementAccessExpression(at.parent) && at.parent.expression === at)) at = at.parent;
    return ts.isNewExpression(at.parent) && at.parent.arguments?.includes(at) && ts.isThrowStatement(at.parent.parent);
  };

  const visit = (node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) {
      decide(node.name.text, checker.getSymbolAtLocation(node.name));
    } else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
      kept.add(node.argumentExpression.text);
    } else if (ts.isStringLiteralLike(node) && !(ts.isObjectLiteralElementLike(node.parent) && node.parent.name === node) && !thrownText(node)
      && !ts.isImportDeclaration(node.parent) && !ts.isExportDeclaration(node.parent) && !ts.isLiteralTypeNode(node.parent) && !ts.isExternalModuleReference(node.parent)) {
      kept.add(node.text);
    } else if (ts.isObjectLiteralElementLike(node) && node.name && ts.isObjectLiteralExpression(node.parent) && !ts.isComputedPropertyName(node.name)) {
      const name = node.name.text;
      const hit = contextualProperty(node.parent, name);
      see(name);
      if (!hit.found || (!hit.free && !internal(hit.symbol))) kept.add(name);
    } else if (ts.isClassElement(node) && node.name && !ts.isComputedPropertyName(node.name) && !ts.isPrivateIdentifier(node.name)) {
      see(node.name.text);
    } else if (ts.isParameter(node) && ts.isParameterPropertyDeclaration(node, node.parent) && ts.isIdentifier(node.name)) {
      see(node.name.text);
    } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
      const key = node.propertyName ?? node.name;
      if (ts.isIdentifier(key)) {
        const p = checker.getPropertyOfType(checker.getTypeAtLocation(node.parent), key.text);
        decide(key.text, p);
      }
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)
      && node.expression.expression.getText() === 'Object' && ['keys', 'entries', 'values'].includes(node.expression.name.text)
      && node.arguments[0]) {
      keepAll(checker.getTypeAtLocation(node.arguments[0]));
    } else if (ts.isForInStatement(node)) {
      keepAll(checker.getTypeAtLocation(node.expression));
    }
    ts.forEachChild(node, visit);
  };
  for (const sf of program.getSourceFiles()) if (ours(sf.fileName)) visit(sf);

  return { kept: [...kept].sort(), shortened: [...seen].filter((n) => !kept.has(n)).sort(), uses };
}
