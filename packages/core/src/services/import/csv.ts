/** One CSV record with the (1-based) line of the file it starts on, for error messages. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Parses CSV text (RFC 4180: comma-separated, double-quoted fields with "" for a quote, CRLF or LF line ends,
 * newlines allowed inside quotes). Blank lines are skipped. A byte-order mark is ignored.
 */
export function* parseCsv(text: string): Generator<CsvRecord> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let atEnd = false;
    while (!atEnd) {
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new CsvError(startLine, 'a quoted field is not closed');
          const ch = text[i]!;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          field += ch;
          i++;
        }
      }
      // Unquoted part (or what follows a closing quote, up to the separator).
      while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      fields.push(field);
      field = '';
      if (i >= n) atEnd = true;
      else if (text[i] === ',') i++;
      else {
        if (text[i] === '\r') i++;
        if (text[i] === '\n') i++;
        line++;
        atEnd = true;
      }
    }
    if (fields.length === 1 && fields[0]!.trim() === '') continue;
    yield { line: startLine, fields };
  }
}

export class CsvError extends Error {
  override name = 'CsvError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}
