// Everything a rule may import from the server, in one place: the rule contract, the models it
// reads, and the kernel's position helpers. Rules import this file and rules/_helpers, nothing else
// of server/ (test/meta.test.ts enforces it).
export type {
  AnyRule, Category, DataFile, Edit, Finding, Fix, FixSource, Index, Layer, ModelKind, Models, Nodes, ProjectView, Related,
  Report, Rule, RuleContext, RuleOptions, Severity, Source, Span, Summary, UnitFile,
} from '../server/src/engine/api';
export type {
  Comment, Directive, DockerfileModel, Flag, Heredoc, ImageRef, Instruction, KeyValue, ShellCommand, Stage, Word,
} from '../server/src/parsers/dockerfile/model';
export { shiftMap, tokenizeShell, type OffsetMap } from '../server/src/parsers/dockerfile/shell';
export type { Block, Body, HclFile } from '../server/src/parsers/hcl';
export type { YamlDocument, YamlModel } from '../server/src/parsers/yaml';
/** The YAML syntax tree's node tests (the `yaml` package), for rules that read YAML models. */
export { isMap, isScalar, isSeq } from 'yaml';
export { LineIndex } from '../server/src/core/text';
