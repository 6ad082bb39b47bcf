import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Span } from '../../server/src/engine/api';
import { parseDockerfile } from '../../server/src/parsers/dockerfile';
import type { ShellCommand } from '../../server/src/parsers/dockerfile/model';
import { PieceMap, scanShell, shiftMap, tokenizeShell } from '../../server/src/parsers/dockerfile/shell';

/** Each command as [words, redirects, next], the words' values. */
function shape(script: string) {
  return tokenizeShell(script).map((c) => [c.words.map((w) => w.value), c.redirects.map((r) => r.value), c.next ?? null]);
}

/** The context flags a command carries, and only those. */
function where(c: ShellCommand) {
  const { condition, conditional, negated, subshell, inFunction } = c;
  return Object.fromEntries(Object.entries({ condition, conditional, negated, subshell, inFunction }).filter(([, v]) => v !== undefined));
}

/** Each command as [its words joined by spaces, next, context flags]. */
function context(script: string) {
  return tokenizeShell(script).map((c) => [c.words.map((w) => w.value).join(' '), c.next ?? null, where(c)]);
}

/** Each word's source text, to check spans. */
function raw(script: string) {
  const at = (s: Span) => script.slice(s.start, s.end);
  return tokenizeShell(script).map((c) => c.words.map((w) => at(w.span)));
}

test('splits commands at every operator', () => {
  assert.deepEqual(shape('a 1 | b && c || d ; e & f\ng'), [
    [['a', '1'], [], '|'],
    [['b'], [], '&&'],
    [['c'], [], '||'],
    [['d'], [], ';'],
    [['e'], [], '&'],
    [['f'], [], 'newline'],
    [['g'], [], null],
  ]);
});

test('removes quotes and escapes in values, keeps raw text in spans', () => {
  const script = `echo 'a b' "c \\"d\\" \\$e \\x" f\\ g $'h\\ti' ""`;
  assert.deepEqual(shape(script), [[['echo', 'a b', 'c "d" $e \\x', 'f g', 'h\ti', ''], [], null]]);
  assert.deepEqual(raw(script), [['echo', `'a b'`, `"c \\"d\\" \\$e \\x"`, 'f\\ g', `$'h\\ti'`, '""']]);
});

test('keeps $(…), ${…} and backticks inside a word, operators and all', () => {
  const script = 'VERSION=$(curl -s "http://x/$(echo a | tr a b)") && echo ${X:-a b} `date; id`x';
  assert.deepEqual(shape(script), [
    [['VERSION=$(curl -s "http://x/$(echo a | tr a b)")'], [], '&&'],
    [['echo', '${X:-a b}', '`date; id`x'], [], null],
  ]);
});

test('keeps redirections apart from words', () => {
  assert.deepEqual(shape('curl -o x http://a > /dev/null 2>&1 <in >>log &>all 3< f'), [
    [['curl', '-o', 'x', 'http://a'], ['>/dev/null', '2>&1', '<in', '>>log', '&>all', '3<f'], null],
  ]);
  const script = 'echo hi 2> "err file"';
  const [command] = tokenizeShell(script);
  assert.equal(script.slice(command.redirects[0].span.start, command.redirects[0].span.end), '2> "err file"');
  assert.equal(command.redirects[0].value, '2>err file');
  assert.equal(script.slice(command.span.start, command.span.end), script);
});

test('drops comments at word start only', () => {
  assert.deepEqual(shape('echo a#b # c d\n# whole line\necho e'), [
    [['echo', 'a#b'], [], 'newline'],
    [['echo', 'e'], [], null],
  ]);
});

test('line continuations inside scripts', () => {
  assert.deepEqual(shape('apt-get install \\\n  -y \\\n  curl\necho done'), [
    [['apt-get', 'install', '-y', 'curl'], [], 'newline'],
    [['echo', 'done'], [], null],
  ]);
});

test('parentheses separate commands; an operator after ")" still links them', () => {
  assert.deepEqual(shape('(cd /x && make) | tee log'), [
    [['cd', '/x'], [], '&&'],
    [['make'], [], '|'],
    [['tee', 'log'], [], null],
  ]);
});

test('heredocs inside a script: their bodies are skipped', () => {
  const script = 'cat <<EOF > /etc/x\ncurl inside body\nEOF\necho after\ncat <<-"END"\n\tbody\n\tEND\nls';
  assert.deepEqual(shape(script), [
    [['cat'], ['<<EOF', '>/etc/x'], 'newline'],
    [['echo', 'after'], [], 'newline'],
    [['cat'], ['<<-END'], 'newline'],
    [['ls'], [], null],
  ]);
});

test('redirect-only commands are visible to scanShell only', () => {
  assert.deepEqual(tokenizeShell('<<EOF'), []);
  const [only] = scanShell('<<EOF');
  assert.deepEqual(only.words, []);
  assert.equal(only.redirects[0].value, '<<EOF');
});

test('backtick escape (Windows): backslashes are literal', () => {
  const commands = tokenizeShell('copy C:\\src\\app.exe C:\\dst `"q`"', shiftMap(0), { escape: '`' });
  assert.deepEqual(
    commands.map((c) => c.words.map((w) => w.value)),
    [['copy', 'C:\\src\\app.exe', 'C:\\dst', '"q"']],
  );
});

test('spans go through the offset map', () => {
  // The derived text "ab cd" comes from source "ab \\\n  cd": piece 1 at 0, piece 2 at 7.
  const source = 'ab \\\n  cd';
  const map = new PieceMap(source.length);
  map.add(0, 0);
  map.add(3, 7);
  const [command] = tokenizeShell('ab cd', map);
  assert.deepEqual(command.words.map((w) => source.slice(w.span.start, w.span.end)), ['ab', 'cd']);
  assert.equal(source.slice(command.span.start, command.span.end), source);
});

test('never throws and keeps spans in range on unbalanced input', () => {
  const inputs = [
    '"', "'", '$(', '${', '`', 'a "b', "a 'b", 'echo $(a "b', '\\', 'a |', '| a', '&&', ';;', '<<', '<<EOF\nx',
    '2>', '>&', '$((1+2', '(((', ')))', '{ a', 'a }', '$\'', '$"', 'x<(a', '#', '\u0000\uffff\ud800',
    '$('.repeat(5000), '"$(`'.repeat(2000), '<('.repeat(3000),
    'if', 'if a', 'if a; then', 'then', 'fi', 'elif', 'else b', 'while', 'do', 'done', 'for', 'for x', 'for x in', 'for ((', 'for ((;;', 'case',
    'case x', 'case x in', 'case x in a', 'case x in a)', 'case x in (', 'case x in a|', 'esac', ';;', ';;&', '{', '}', '{ a', 'f()', 'f() {',
    'function', 'function f', 'function f()', '!', '! !', '[[', '[[ a |', ']]', '((', '( (', ')', 'a ) b', 'if a; then ( b; fi; c )',
    'case x in @(', 'case x in +(a|', '\\', 'if ' + '('.repeat(2000),
  ];
  for (const input of inputs) {
    for (const command of scanShell(input)) {
      for (const w of [...command.words, ...command.redirects, command]) {
        const span = 'span' in w ? w.span : (w as { span: Span }).span;
        assert.ok(span.start >= 0 && span.start <= span.end && span.end <= input.length, `${JSON.stringify(input.slice(0, 20))}: ${JSON.stringify(span)}`);
      }
    }
  }
});

test('array assignments keep their parenthesised list', () => {
  assert.deepEqual(shape('pkgs=(curl "wget x") && apt-get install "${pkgs[@]}"'), [
    [['pkgs=(curl "wget x")'], [], '&&'],
    [['apt-get', 'install', '${pkgs[@]}'], [], null],
  ]);
});

// ---------------------------------------------------------------- compound commands

test('case: patterns and their `|` are no commands, arms run conditionally', () => {
  const script = 'case "$(dpkg --print-architecture)" in amd64 | x86_64) ARCH=x64 ;; arm64) ARCH=arm64 ;; *) exit 1 ;; esac';
  assert.deepEqual(context(script), [
    ['ARCH=x64', ';', { conditional: true }],
    ['ARCH=arm64', ';', { conditional: true }],
    ['exit 1', ';', { conditional: true }],
  ]);
  assert.deepEqual(raw(script), [['ARCH=x64'], ['ARCH=arm64'], ['exit', '1']]);
  const exit = tokenizeShell(script)[2].words[0];
  assert.equal(exit.span.start, script.indexOf('exit'));
});

test('case: `(` before patterns, `;&`, `;;&`, a last arm without `;;`, extended globs, `esac` as a pattern', () => {
  assert.deepEqual(context('case $x in\n  (a) one;&\n  @(b|c)) two | three;;&\n  (esac) four\nesac\nafter'), [
    ['one', ';', { conditional: true }],
    ['two', '|', { conditional: true }],
    ['three', ';', { conditional: true }],
    ['four', 'newline', { conditional: true }],
    ['after', null, {}],
  ]);
  // `in` and `esac` where they are plain arguments
  assert.deepEqual(context('echo case in esac; case in in in) x;; esac'), [
    ['echo case in esac', ';', {}],
    ['x', ';', { conditional: true }],
  ]);
});

test('if: the condition list is tested, the branches run conditionally', () => {
  const script = 'if ! command -v curl >/dev/null; then apt-get install -y curl; fi';
  assert.deepEqual(context(script), [
    ['command -v curl', ';', { condition: true, negated: true }],
    ['apt-get install -y curl', ';', { conditional: true }],
  ]);
  const [check, install] = tokenizeShell(script);
  assert.equal(script.slice(check.redirects[0].span.start, check.redirects[0].span.end), '>/dev/null');
  assert.equal(script.slice(check.span.start, check.span.end), 'command -v curl >/dev/null');
  assert.deepEqual(install.words.map((w) => w.span.start), [38, 46, 54, 57]);
  assert.equal(script.slice(install.words[3].span.start, install.words[3].span.end), 'curl');

  assert.deepEqual(context('if [ -f /x ]; then a; elif b && c; then d\nelse e; fi; f'), [
    ['[ -f /x ]', ';', { condition: true }],
    ['a', ';', { conditional: true }],
    ['b', '&&', { condition: true, conditional: true }],
    ['c', ';', { condition: true, conditional: true }],
    ['d', 'newline', { conditional: true }],
    ['e', ';', { conditional: true }],
    ['f', null, {}],
  ]);
});

test('while, until and for: conditions are tested, bodies run conditionally, header words are no commands', () => {
  const script = 'for f in a b; do rm -f $f; done';
  assert.deepEqual(context(script), [['rm -f $f', ';', { conditional: true }]]);
  assert.deepEqual(raw(script), [['rm', '-f', '$f']]);
  assert.deepEqual(context('while read -r l; do echo "$l"; done < list\nuntil test -f x\ndo sleep 1\ndone'), [
    ['read -r l', ';', { condition: true }],
    ['echo $l', ';', { conditional: true }],
    ['test -f x', 'newline', { condition: true }],
    ['sleep 1', 'newline', { conditional: true }],
  ]);
  assert.deepEqual(context('for x do a; done; for ((i = 0; i < 3; i++)); do b; done; for y\nin c d\ndo e; done; select s in x; do f; done'), [
    ['a', ';', { conditional: true }],
    ['b', ';', { conditional: true }],
    ['e', ';', { conditional: true }],
    ['f', ';', { conditional: true }],
  ]);
  // the loop's redirection is a command of its own, visible to scanShell only
  const [, , input] = scanShell('while read l; do echo; done < list');
  assert.deepEqual([input.words, input.redirects.map((r) => r.value)], [[], ['<list']]);
});

test('groups and subshells', () => {
  assert.deepEqual(context('(cd /tmp && make)'), [
    ['cd /tmp', '&&', { subshell: true }],
    ['make', null, { subshell: true }],
  ]);
  const script = '{ echo a; echo b; } > out';
  assert.deepEqual(context(script), [
    ['echo a', ';', {}],
    ['echo b', ';', {}],
  ]);
  const [, , out] = scanShell(script);
  assert.deepEqual(out.words, []);
  assert.equal(script.slice(out.redirects[0].span.start, out.redirects[0].span.end), '> out');
  assert.deepEqual(raw(script), [['echo', 'a'], ['echo', 'b']]);
  // nested (`b` ends both subshells, so it takes the `;` after them), and `((` arithmetic where a
  // command starts (POSIX asks for `( (` to nest subshells)
  assert.deepEqual(context('( a; ( b ) ); c; ((n += 1)); {x,y}'), [
    ['a', ';', { subshell: true }],
    ['b', ';', { subshell: true }],
    ['c', ';', {}],
    ['((n += 1))', ';', {}],
    ['{x,y}', null, {}],
  ]);
});

test('function definitions: the body runs only if the function is called', () => {
  assert.deepEqual(context('install() { apt-get install -y "$@"; }; install curl'), [
    ['apt-get install -y $@', ';', { conditional: true, inFunction: 'install' }],
    ['install curl', null, {}],
  ]);
  assert.deepEqual(context('function a { x; }\nfunction b() {\n  y | z\n}\nc () ( if p; then q; fi )'), [
    ['x', ';', { conditional: true, inFunction: 'a' }],
    ['y', '|', { conditional: true, inFunction: 'b' }],
    ['z', 'newline', { conditional: true, inFunction: 'b' }],
    ['p', ';', { condition: true, conditional: true, subshell: true, inFunction: 'c' }],
    ['q', ';', { conditional: true, subshell: true, inFunction: 'c' }],
  ]);
});

test('`||` makes its right side conditional; `&&`, `;` and newlines end that', () => {
  assert.deepEqual(context('a || b | c && d; e && f || { g; h; }\ni ||\n  j\nk'), [
    ['a', '||', {}],
    ['b', '|', { conditional: true }],
    ['c', '&&', { conditional: true }],
    ['d', ';', {}],
    ['e', '&&', {}],
    ['f', '||', {}],
    ['g', ';', { conditional: true }],
    ['h', ';', { conditional: true }],
    ['i', '||', {}],
    ['j', 'newline', { conditional: true }],
    ['k', null, {}],
  ]);
});

test('flags are inherited by nested compounds', () => {
  assert.deepEqual(context('if a; then while b; do ! c | d; done; fi; ! { e; }'), [
    ['a', ';', { condition: true }],
    ['b', ';', { condition: true, conditional: true }],
    ['c', '|', { conditional: true, negated: true }],
    ['d', ';', { conditional: true, negated: true }],
    ['e', ';', { negated: true }],
  ]);
});

test('a pipe never spans a compound keyword; `(…) | b` still pipes the subshell', () => {
  assert.deepEqual(shape('if a; then b; fi | c'), [
    [['a'], [], ';'],
    [['b'], [], ';'],
    [['c'], [], null],
  ]);
  assert.deepEqual(shape('case x in y) b;; esac | c; while a; do b; done | c; { a; } | b; ( if a; then b; fi ) | c'), [
    [['b'], [], ';'],
    [['c'], [], ';'],
    [['a'], [], ';'],
    [['b'], [], ';'],
    [['c'], [], ';'],
    [['a'], [], ';'],
    [['b'], [], ';'],
    [['a'], [], ';'],
    [['b'], [], ';'],
    [['c'], [], null],
  ]);
  assert.deepEqual(context('(a) | b'), [
    ['a', '|', { subshell: true }],
    ['b', null, {}],
  ]);
});

test('reserved words count only where a command starts, and only unquoted', () => {
  assert.deepEqual(context('echo if then fi do done { } ! function; "if" x; \\fi y; a=1 done'), [
    ['echo if then fi do done { } ! function', ';', {}],
    ['if x', ';', {}],
    ['fi y', ';', {}],
    ['a=1 done', null, {}],
  ]);
});

test('[[ … ]]: `|`, `&&`, `(` and `<` inside are words of the test', () => {
  assert.deepEqual(context('[[ $v =~ ^(1|2)$ && $a < $b ]] || exit 1'), [
    ['[[ $v =~ ^ ( 1 | 2 ) $ && $a < $b ]]', '||', {}],
    ['exit 1', null, { conditional: true }],
  ]);
});

test('unbalanced compounds give the commands found so far', () => {
  assert.deepEqual(context('if a; then b'), [
    ['a', ';', { condition: true }],
    ['b', null, { conditional: true }],
  ]);
  assert.deepEqual(context('case x in a) b'), [['b', null, { conditional: true }]]);
  assert.deepEqual(context('a ) b; fi; done; esac; }; then c'), [
    ['a', null, {}],
    ['b', ';', {}],
    ['c', null, {}],
  ]);
  // a closer also closes what is still open inside its compound
  assert.deepEqual(context('if a; then ( b; { c; fi; d'), [
    ['a', ';', { condition: true }],
    ['b', ';', { conditional: true, subshell: true }],
    ['c', ';', { conditional: true, subshell: true }],
    ['d', null, {}],
  ]);
});

test('compound commands in a Dockerfile: spans map to the source through continuations', () => {
  const text = 'FROM debian\nRUN case "$arch" in \\\n      amd64|x86_64) a=1 ;; \\\n    esac && \\\n    if [ -n "$a" ]; then echo "$a"; fi\n';
  const run = parseDockerfile(text).model.instructions[1];
  const at = (s: Span) => text.slice(s.start, s.end);
  assert.deepEqual(
    run.commands.map((c) => [c.words.map((w) => at(w.span)), c.next ?? null, where(c)]),
    [
      [['a=1'], ';', { conditional: true }],
      [['[', '-n', '"$a"', ']'], ';', { condition: true }],
      [['echo', '"$a"'], ';', { conditional: true }],
    ],
  );
  assert.equal(run.commands[0].words[0].span.start, text.indexOf('a=1'));
});

test('deep nesting needs no call stack', () => {
  const depth = 10_000;
  const ifs = tokenizeShell('if a; then '.repeat(depth) + 'b' + '; fi'.repeat(depth));
  assert.equal(ifs.length, depth + 1);
  assert.deepEqual(where(ifs[depth]), { conditional: true });
  const subshells = tokenizeShell('( '.repeat(depth) + 'a' + ' )'.repeat(depth) + ' | b');
  assert.deepEqual(subshells.map((c) => [c.words[0].value, c.next ?? null, where(c)]), [
    ['a', '|', { subshell: true }],
    ['b', null, {}],
  ]);
  assert.equal(tokenizeShell('{ '.repeat(depth) + 'case x in y) '.repeat(depth) + 'z').length, 1);
});

/**
 * The script as an object that counts its reads (`s[i]`, `s.length`, `s.indexOf(…)`…). Every loop of the
 * scanner reads the script, so the count measures its work, the same on every machine and under any load.
 */
function countingScript(script: string): { text: string; reads: () => number } {
  let reads = 0;
  const target = new String(script);
  const text = new Proxy(target, {
    get(t, key) {
      reads++;
      const value: unknown = Reflect.get(t, key);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
  return { text: text as unknown as string, reads: () => reads };
}

test('work grows linearly with the script: 10x the input, 10x the commands and the reads', () => {
  const block = 'if [ -f /x ]; then a | b; elif c; then case $y in p|q) d ;; *) e ;; esac; else for i in 1 2; do f; done; fi\n';
  const sequential = (n: number) => block.repeat(n);
  const nested = (n: number) => 'if a; then '.repeat(n) + 'case x in y) '.repeat(n) + 'b' + ' ;; esac; fi'.repeat(n);
  const measure = (script: string) => {
    const counted = countingScript(script);
    return { commands: tokenizeShell(counted.text).length, reads: counted.reads() };
  };
  const small = measure(sequential(1_000));
  const large = measure(sequential(10_000));
  assert.deepEqual([small.commands, large.commands], [7_000, 70_000]);
  // Anything that re-scans would read about 100x as much.
  assert.ok(large.reads / small.reads < 10.5, `10x the input took ${(large.reads / small.reads).toFixed(2)}x the reads`);
  const smallNested = measure(nested(1_000));
  const largeNested = measure(nested(10_000));
  assert.deepEqual([smallNested.commands, largeNested.commands], [1_001, 10_001]);
  assert.ok(largeNested.reads / smallNested.reads < 10.5, `10x the nesting took ${(largeNested.reads / smallNested.reads).toFixed(2)}x the reads`);
});
