// scripts/post-terser.mjs rewrites terser's output of the device program. A
// wrong rewrite breaks the device silently, so each case runs the program
// before and after and compares what it computes, besides the text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error: a plain JS build script, without typings.
import { constToLet, functionsToArrows, globalAlias, joinLets, propertyAlias, thisAlias, throwCalls } from '../../scripts/post-terser.mjs';

const rewriteThis = thisAlias as (code: string) => string;
const rewriteConst = constToLet as (code: string) => string;
const rewriteGlobals = globalAlias as (code: string) => string;
const rewriteFunctions = functionsToArrows as (code: string) => string;
const rewriteLets = joinLets as (code: string) => string;
const rewriteThrows = throwCalls as (code: string) => string;
const rewriteProperties = propertyAlias as (code: string) => string;

/** Runs a strict-mode program and gives the value it leaves in `out`. */
const run = (code: string): unknown => new Function(`"use strict";${code};return out`)();

const classes = `
class A{constructor(){this.a=1;this.b=2;this.c=3;this.d=4}
m(){let f=()=>this.a+this.b;function g(){return this}return[f(),g.call(7),g(),this.c,this.d,a]}}
class B extends A{constructor(){super(),this.e=5,this.f=6,this.g=7,this.h=8}}
class C extends A{constructor(){super();this.e=5;this.f=6;this.g=7;this.h=8}}
class D extends A{constructor(){let x=1;super(),this.e=x,this.f=6,this.g=7,this.h=8}}
let a=9;
let out=[new A().m(),new B(),new C(),new D()].map(x=>JSON.stringify(x));`;

test('this-alias: the same results, with `this` named four times or more replaced', () => {
  const out = rewriteThis(classes);
  assert.equal(run(out), run(classes));
  // A's constructor and m, B's and C's constructors, which start with super().
  assert.is(out.match(/let \w+=this;/g)?.length, 4);
  assert.ok(out.includes('B extends A{constructor(){super();let '), out);
  assert.ok(out.includes('C extends A{constructor(){super();let '), out);
});

test('this-alias: a nested function keeps its own this, an arrow shares it', () => {
  const out = rewriteThis(classes);
  const m = /m\(\)\{let (\w+)=this;(.*?)\}\}/.exec(out);
  assert.ok(m, out);
  assert.ok(m[2].includes('function g(){return this}'), m[2]);
  assert.ok(m[2].includes(`f=()=>${m[1]}.a+${m[1]}.b`), m[2]);
});

test('this-alias: the local never takes a name the function mentions', () => {
  const out = rewriteThis(classes);
  const local = /m\(\)\{let (\w+)=this;/.exec(out)![1];
  // m reads the outer `a`; so do names a..g of its locals and members.
  assert.not.ok(['a', 'f', 'g', 'c', 'd', 'b', 'call', 'm'].includes(local), local);
});

test('this-alias: a derived constructor not starting with super() and short uses stay', () => {
  const out = rewriteThis(classes);
  assert.ok(out.includes('{let x=1;super(),this.e=x,this.f=6,this.g=7,this.h=8}'), out);
  const short = 'class E{m(){return this.a+this.b+this.c}}';
  assert.is(rewriteThis(short), short);
});

test('const-to-let: every const declaration, loops included, same results', () => {
  const code = 'const a=[1,2];let s=0;for(const x of a){const y=x*2;s+=y}let out=s+a.length';
  const out = rewriteConst(code);
  assert.not.ok(out.includes('const'), out);
  assert.is(run(out), run(code));
});

const globals = `
let m=(a,b)=>[Math.min(a,b),Math.min(b,a),Math.min(a,a),Math.min(b,b),Math.max(a,b)];
let u=()=>[new Uint8Array(2),new Uint8Array(3),new Uint8Array(4)].map(x=>x.length);
let k=(Set)=>[new Set,new Set,new Set,new Set];
let o={String};
let s=[String(1),String(2),String(3),String(4),o.String(5),JSON.stringify({a:1})];
let v=[void 0,void 0,void 0,void 0].map(x=>x===undefined);
let out=JSON.stringify([m(3,4),u(),k(Map).length,s,Array.isArray([]),v]);`;

test('global-alias: the same results, often-named globals and static functions read once', () => {
  const out = rewriteGlobals(globals);
  assert.is(run(out), run(globals));
  const decl = /^let ([^;]*);/.exec(out)?.[1] ?? '';
  assert.ok(/(^|,)\w+=Math\.min(,|$)/.test(decl), decl);
  assert.ok(/(^|,)\w+=Uint8Array(,|$)/.test(decl), decl);
  assert.ok(/(^|,)\w+=String(,|$)/.test(decl), decl);
  assert.is(out.match(/Math\.min/g)?.length, 1, out);
  // void 0 becomes a variable declared without a value.
  assert.not.ok(out.includes('void 0'), out);
  assert.ok(decl.split(',').some((d) => /^\w+$/.test(d)), decl);
});

test('global-alias: a shadowed global, a shorthand property and rare names stay', () => {
  const out = rewriteGlobals(globals);
  // k binds its own Set; {String} is a property name too; Math.max and Array.isArray appear once.
  assert.ok(out.includes('k=(Set)=>[new Set,new Set,new Set,new Set]'), out);
  assert.ok(out.includes('o={String}'), out);
  assert.ok(out.includes('Math.max(a,b)') && out.includes('Array.isArray([])'), out);
  assert.not.ok(/=Set(,|;)/.test(out), out);
});

const strings = `
let f=t=>{switch(t){case"established":return"probing";case"probing":return"established"}return"established"in{established:1}};
let g={"established":"probing",established2:"established"};
let out=[f("established"),f("probing"),f(),g.established,g.established2,typeof f=="function"].join();`;

test('global-alias: a string written often becomes one alias; keys and neighbouring words stay whole', () => {
  const out = rewriteGlobals(strings);
  assert.is(run(out), run(strings));
  const alias = /(\w+)="established"/.exec(out)?.[1];
  assert.ok(alias, out);
  assert.is(out.match(/"established"/g)?.length, 2, out); // the alias and the quoted key
  assert.ok(out.includes(`return ${alias}`) && out.includes(`case ${alias}:`) && out.includes(`${alias} in{established:1}`), out);
});

const functions = `function add(a,b){return a+b}
function one(t){return{t}}
function seq(t){return t++,t}
function multi(t){let s=t;s+=1;return s}
function ctx(){return this}
function ctor(){}
function* gen(){yield 1}
let early=late(1);
function late(t){return t}
async function as(t){return t}
let out=[add(1,2),one(3).t,seq(4),multi(5),ctx.call(6),new ctor() instanceof ctor,[...gen()][0],early,typeof as(1).then].join();`;

test('functions-to-arrows: the same results; functions with their own this, new, generators and early uses stay', () => {
  const out = rewriteFunctions(functions);
  assert.is(run(out), run(functions));
  for (const arrow of ['let add=(a,b)=>a+b;', 'let one=t=>({t});', 'let seq=t=>(t++,t);', 'let multi=t=>{let s=t;s+=1;return s};', 'let as=async t=>t;']) {
    assert.ok(out.includes(arrow), `${arrow} in ${out}`);
  }
  for (const kept of ['function ctx(', 'function ctor(', 'function* gen(', 'function late(']) assert.ok(out.includes(kept), `${kept} in ${out}`);
});

test('join-lets: consecutive let statements in one list become one', () => {
  const code = 'let a=1;let b=a+1;{let c=b;let d=c*2;var e=d}let out=a+b+e';
  const out = rewriteLets(code);
  assert.is(out, 'let a=1,b=a+1;{let c=b,d=c*2;var e=d}let out=a+b+e');
  assert.is(run(out), run(code));
});

const throws = `class E extends Error{constructor(a,b){super(a+":"+b),this.name="E"}}
let f=[()=>{throw new TypeError("one")},()=>{throw new RangeError("two")},()=>{if(1)throw new E(3,4);else throw new Error},
()=>{throw new Error("five")},()=>{throw new TypeError}];
let g=t=>{if(t)throw new E(6,7);return 8};
let out=[...f,()=>g(1),()=>g(0)].map(h=>{try{return h()}catch(e){return e.constructor.name+"/"+e.message}}).join();`;

test('throw-calls: the same errors, thrown through one helper', () => {
  const out = rewriteThrows(throws);
  assert.is(run(out), run(throws));
  assert.is(out.match(/throw new/g)?.length, 1, out);
  assert.ok(/else \w+\(Error\)/.test(out), out);
});

const properties = `let a=[3,1,2],m=new Map([[1,2]]),o={includes:t=>t>1};
let r=[a.filter(t=>t>1),a.filter(t=>t<3),a.filter(Boolean),a.filter(t=>t),a.filter(t=>!t),a.length,a.length];
m.delete(1);m.delete(2);m.delete(3);
let n=null;
let out=JSON.stringify([r,o.includes(2),o?.includes(0),n?.includes(1),[...m.values()],a.includes(3),a.includes(4),a.includes(1)]);`;

test('property-alias: the same results, long names read often go through one alias, hot ones stay', () => {
  const out = rewriteProperties(properties);
  assert.is(run(out), run(properties));
  const alias = /(\w+)="filter"/.exec(out)?.[1];
  assert.ok(alias, out);
  assert.ok(out.includes(`a[${alias}](t=>t>1)`), out);
  assert.ok(/n\?\.\[\w+\]\(1\)/.test(out), out); // optional member access stays optional
  assert.is(out.match(/\.length/g)?.length, 2, out); // hot: stays a named read
  assert.ok(out.includes('{includes:'), out); // a key in an object literal stays
});

test.run();
