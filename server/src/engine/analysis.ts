// One analysis per snapshot: the kind, the parsed model, the line index and every shared index are
// computed at most once, on first use, and read by every rule (and by suppressions and quick fixes).
import type { ParseError } from '../core/span';
import { LineIndex } from '../core/text';
import type { Index, ModelKind, Models, Nodes, Source } from './api';
import { commentSyntax, detectKind, languageOf, type DocumentKind, type Language } from './languages';

/** A document as a host sees it: path, text and, in the editor, its language id and version. */
export interface Snapshot {
  /** Workspace-relative path with forward slashes (absolute when there is no workspace). */
  path: string;
  text: string;
  languageId?: string;
  version?: number;
}

export class Analysis<K extends ModelKind = ModelKind> implements Source<K> {
  readonly kind: DocumentKind;
  readonly language: Language<K>;
  readonly model: Models[K];
  readonly parseErrors: ParseError[];
  private lineIndex?: LineIndex;
  private unitSpans?: ReturnType<Language['units']>;
  private targetNodes?: Map<string, Nodes[K][]>;
  private readonly mergedNodes = new Map<string, Nodes[K][]>();
  private readonly visited = new Map<readonly string[], Nodes[K][]>();
  private readonly indexes = new Map<Index<K, unknown>, unknown>();
  private readonly computing = new Set<Index<K, unknown>>();

  constructor(readonly snapshot: Snapshot, kind: DocumentKind = detectKind(snapshot.path, snapshot.languageId, snapshot.text)) {
    this.kind = kind;
    this.language = languageOf(kind) as unknown as Language<K>;
    const { model, errors } = this.language.parse(snapshot.text);
    this.model = model;
    this.parseErrors = errors;
  }

  get path(): string {
    return this.snapshot.path;
  }

  get text(): string {
    return this.snapshot.text;
  }

  get modelKind(): K {
    return this.language.model;
  }

  get lines(): LineIndex {
    return (this.lineIndex ??= new LineIndex(this.snapshot.text));
  }

  /** Statements a suppression comment above them covers. */
  get units(): ReturnType<Language['units']> {
    return (this.unitSpans ??= this.language.units(this.model, this.text));
  }

  get headerEnd(): number {
    return this.language.headerEnd(this.model, this.lines);
  }

  get commentPrefix(): string | undefined {
    return commentSyntax(this.kind, this.path);
  }

  index<T>(key: Index<K, T>): T {
    if (this.indexes.has(key)) return this.indexes.get(key) as T;
    if (this.computing.has(key)) throw new Error(`index ${key.name} depends on itself`);
    this.computing.add(key);
    try {
      const value = key.compute(this);
      this.indexes.set(key, value);
      return value;
    } finally {
      this.computing.delete(key);
    }
  }

  /**
   * The nodes of these targets in file order; undefined when the list is empty (the rule visits
   * everything). Worked out once per list of targets (a rule's `visits`) and, for lists that merge
   * several targets, once per set of them: twenty rules visit RUN and ONBUILD.
   */
  nodes(targets: readonly string[] | undefined): Nodes[K][] | undefined {
    if (!targets || targets.length === 0) return undefined;
    let nodes = this.visited.get(targets);
    if (!nodes) this.visited.set(targets, (nodes = this.collect(targets)));
    return nodes;
  }

  private collect(targets: readonly string[]): Nodes[K][] {
    this.targetNodes ??= this.language.targets(this.model);
    const lists: Nodes[K][][] = [];
    for (const target of targets) {
      const list = this.targetNodes.get(target);
      if (list && list.length > 0) lists.push(list);
    }
    if (lists.length <= 1) return lists[0] ?? [];
    const key = [...targets].sort().join('\n');
    let merged = this.mergedNodes.get(key);
    if (!merged) {
      // Each list is in file order; a node listed under two targets (an HCL block under its type
      // and under type.label) sorts next to itself and is kept once.
      const sorted = lists.flat().sort((a, b) => spanStart(a) - spanStart(b));
      merged = sorted.filter((node, i) => i === 0 || node !== sorted[i - 1]);
      this.mergedNodes.set(key, merged);
    }
    return merged;
  }
}

function spanStart(node: unknown): number {
  return (node as { span?: { start: number } }).span?.start ?? 0;
}
