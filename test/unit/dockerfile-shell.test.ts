import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Span } from '../../server/src/engine/api';
import { PieceMap, scanShell, shiftMap, tokenizeShell } from '../../server/src/parsers/dockerfile/shell';

/** Each command as [words, redirects, next], the words' values. */
function shape(script: string) {
  return tokenizeShell(script).map((c) => [c.words.map((w) => w.value), c.redirects.map((r) => r.value), c.next ?? null]);
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

test('reserved words at a command start are skipped, so the program is words[0]', () => {
  assert.deepEqual(shape('if [ -f /x ]; then apt-get install -y curl; else echo no; fi'), [
    [['[', '-f', '/x', ']'], [], ';'],
    [['apt-get', 'install', '-y', 'curl'], [], ';'],
    [['echo', 'no'], [], ';'],
  ]);
  assert.deepEqual(shape('for p in a b; do pip install "$p"; done'), [
    [['for', 'p', 'in', 'a', 'b'], [], ';'],
    [['pip', 'install', '$p'], [], ';'],
  ]);
  assert.deepEqual(shape('{ curl x; wget y; } | sh'), [
    [['curl', 'x'], [], ';'],
    [['wget', 'y'], [], ';'],
    [['sh'], [], null],
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
