// The Dockerfile model that the parser builds and the container rules read.
// Every span is a half-open range of UTF-16 offsets into the original text.
import type { Span } from '../../core/span';

export interface DockerfileModel {
  /** Parser directives at the top of the file (`# syntax=…`, `# escape=…`). */
  directives: Directive[];
  /** The escape character in force: `\` unless a directive says `` ` ``. */
  escape: '\\' | '`';
  /** Every instruction in file order, including `ARG`s before the first `FROM`. */
  instructions: Instruction[];
  /** Build stages in order; each starts at a `FROM`. Instructions before the first `FROM` belong to none. */
  stages: Stage[];
  /** `ARG`s declared before the first `FROM` (usable in `FROM` lines), with their default values. */
  globalArgs: Map<string, string | undefined>;
  /** Every comment line (including ones inside continuations), for suppressions. */
  comments: Comment[];
}

export interface Directive {
  name: string;
  value: string;
  span: Span;
}

export interface Comment {
  /** The text after `#`, trimmed. */
  text: string;
  /** From `#` to the end of the line. */
  span: Span;
}

/** A word of an instruction's arguments: quotes and escapes removed in `value`, `span` covers the raw text. */
export interface Word {
  value: string;
  span: Span;
}

/** `--name=value` or `--name` before an instruction's arguments. */
export interface Flag {
  name: string;
  value?: string;
  /** The whole flag, `--` included. */
  span: Span;
  nameSpan: Span;
  valueSpan?: Span;
}

/** `KEY=value` (or the legacy `KEY value`) of `ENV`, `ARG` and `LABEL`. */
export interface KeyValue {
  key: string;
  keySpan: Span;
  /** Undefined for `ARG NAME` without a default. Quotes removed. */
  value?: string;
  valueSpan?: Span;
}

export interface Heredoc {
  /** The delimiter word, without quotes and `-`. */
  delimiter: string;
  /** `<<-EOF`: leading tabs are stripped from the body. */
  stripTabs: boolean;
  /** `<<"EOF"` or `<<'EOF'`: no expansion inside the body. */
  quoted: boolean;
  /** The `<<EOF` marker in the instruction line. */
  markerSpan: Span;
  /** The body's text as the shell sees it (tabs stripped for `<<-`). */
  body: string;
  /** The body's lines in the source, without the closing delimiter line. */
  bodySpan: Span;
  /** The closing delimiter line; undefined when the file ends first (a parse error is reported). */
  endSpan?: Span;
}

/**
 * One simple command of a shell script: `apt-get install -y curl`. Compound commands are not in the
 * list themselves (their keywords, `for`/`case` words and case patterns are no commands); the flags
 * below say where inside them a command sits. Each flag holds for everything nested inside too.
 */
export interface ShellCommand {
  /** Words with quotes removed; `words[0]` is the program (after leading `VAR=x` assignments and `sudo`-like prefixes are kept as words). */
  words: Word[];
  span: Span;
  /**
   * The operator that follows this command in its own list: `|` starts a pipeline into the next
   * command. The last command of a `( … )` takes the operator after the `)` (`(a) | b` pipes `a`
   * into `b`); an operator after `fi`, `done`, `esac` or `}` belongs to the compound, never to a
   * command inside it.
   */
  next?: '|' | '&&' | '||' | ';' | '&' | 'newline';
  /** Redirections such as `> file`, `2>&1`, kept apart from words. */
  redirects: Word[];
  /**
   * In the condition of an `if`, `elif`, `while` or `until`: its exit status is tested, so its
   * failure does not stop the script (nor fail the build).
   */
  condition?: true;
  /**
   * Runs on some paths only: in a `then`/`elif`/`else` body, a case arm, a loop body, a function
   * body, an `elif` condition, or right of `||`.
   */
  conditional?: true;
  /** In a pipeline negated with `!`: its status is inverted, so its failure does not stop the script either. */
  negated?: true;
  /** Inside `( … )`: its `cd`, `export`, `set` and variables do not outlast the subshell. */
  subshell?: true;
  /** The function (`name() { … }`, `function name { … }`) whose body holds it: it runs only if that function is called. */
  inFunction?: string;
}

export interface Instruction {
  /** Upper-cased keyword: `FROM`, `RUN`, … (unknown keywords too, upper-cased). */
  keyword: string;
  keywordSpan: Span;
  /** From the keyword to the end of the last continuation line, heredoc bodies included. */
  span: Span;
  flags: Flag[];
  /** The argument text after the flags, line continuations removed, comments inside continuations dropped. */
  argsText: string;
  /** The argument text's extent in the source (after the flags), heredoc bodies excluded. */
  argsSpan: Span;
  /**
   * Arguments after the flags. In JSON (exec) form, the array's strings with their spans;
   * otherwise whitespace-separated words with quotes removed.
   */
  args: Word[];
  /** True when the arguments are a JSON array (`CMD ["a", "b"]`). */
  jsonForm: boolean;
  /** `ENV`, `ARG` and `LABEL` pairs; empty for other instructions. */
  pairs: KeyValue[];
  heredocs: Heredoc[];
  /**
   * For `RUN` (and shell-form `CMD`, `ENTRYPOINT`, `HEALTHCHECK CMD`): the commands a shell runs,
   * from the shell-form text and from heredoc bodies that feed a shell (`RUN <<EOF`, `RUN bash <<EOF`).
   * Empty for exec form, where `args` holds the argv.
   */
  commands: ShellCommand[];
  /** For `ONBUILD`: the instruction it wraps. */
  onbuild?: Instruction;
  /** Index into `DockerfileModel.stages`; -1 before the first `FROM`. */
  stageIndex: number;
}

/** What a `FROM` names. */
export interface ImageRef {
  /** As written, e.g. `${BASE}:${TAG}`. */
  raw: string;
  /** After substituting global `ARG` defaults; equal to `raw` when there was nothing to substitute. */
  resolved: string;
  /** True when a variable had no default, so the image is not known. */
  unresolved: boolean;
  /** Registry host when one is written (`ghcr.io`, `localhost:5000`); undefined for Docker Hub short names. */
  registry?: string;
  /** Repository path without registry, tag and digest: `library/node` is written `node`. */
  repository: string;
  tag?: string;
  digest?: string;
  /** The image word in the `FROM` line. */
  span: Span;
  /** The tag's span (after `:`), when written literally in the source. */
  tagSpan?: Span;
  /** True for `scratch`. */
  scratch: boolean;
}

export interface Stage {
  index: number;
  /** `FROM … AS name`, lower-cased as Docker compares them. */
  name?: string;
  nameSpan?: Span;
  from: Instruction;
  image: ImageRef;
  /** When `FROM` names an earlier stage, that stage's index: then `image` is not a registry image. */
  baseStage?: number;
  /** `--platform=…` value, if any. */
  platform?: string;
  /** The stage's instructions after its `FROM`. */
  instructions: Instruction[];
  /** From the `FROM` to the end of the stage's last instruction. */
  span: Span;
}
