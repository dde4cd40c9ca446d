// Pieces of SQL written once and used in several statements of the plugin's `sql` (a condition two statements judge
// by alike): a piece is a tagged template of its own, text and values, spliced into the statement where it is
// interpolated, its values staying bound parameters. The SDK checks the whole statement as ever.
import type { PluginSql } from '@crm/plugin-sdk';

export class SqlPiece {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

/** A piece of SQL: ``piece`e.seq > ${bound}` ``. */
export const piece = (strings: TemplateStringsArray, ...values: unknown[]) => new SqlPiece([...strings], values);

/** Appends `strings`/`values` to the statement so far (`parts`, `bound`), pieces among the values written in. */
function append(parts: string[], bound: unknown[], strings: readonly string[], values: readonly unknown[]) {
  parts[parts.length - 1] += strings[0]!;
  values.forEach((value, i) => {
    if (value instanceof SqlPiece) append(parts, bound, value.strings, value.values);
    else {
      bound.push(value);
      parts.push('');
    }
    parts[parts.length - 1] += strings[i + 1]!;
  });
}

/** `sql` taking pieces among its values. */
export function withPieces(sql: PluginSql) {
  return <Row = Record<string, unknown>>(strings: TemplateStringsArray, ...values: readonly unknown[]): Promise<Row[]> => {
    const parts = [''];
    const bound: unknown[] = [];
    append(parts, bound, strings, values);
    return sql<Row>(Object.assign(parts, { raw: parts }) as unknown as TemplateStringsArray, ...bound);
  };
}
