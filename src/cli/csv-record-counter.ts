// Counts the records of a CSV file from its bytes, as csv-parse splits them with the import's
// options (CSV_RECORDS: bom, skip_empty_lines, relax_column_count; quote and escape `"`,
// delimiter `,`, the record delimiter csv-parse auto-detects: the first CR, LF or CRLF outside
// quotes), without building fields: the import's first pass (the job's total) at a small
// fraction of the parser's cost. A byte state machine with no lookahead, so a CRLF or a `""`
// split between two chunks is read as if it were whole. Bytes, not text: no byte of a UTF-8
// multibyte character is `"`, `,`, CR or LF.
//
// Malformed files: where csv-parse stops with an error (an unterminated quote, a quote inside an
// unquoted field, a closing quote followed by anything but a delimiter, the record delimiter, a
// NUL or another quote), the counter stops reading and sets `parserNeeded`; so it does for a
// UTF-16LE byte order mark (csv-parse then reads 2-byte code units). It never throws and never
// guesses: the caller counts such a file with csv-parse itself, which refuses it with its own
// error (naming the line), or counts it.

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
/** 1 for the bytes that are data wherever they are outside quotes (all but quote, comma, CR and LF). */
const PLAIN = new Uint8Array(256)
  .fill(1)
  .fill(0, LF, LF + 1)
  .fill(0, CR, CR + 1)
  .fill(0, QUOTE, QUOTE + 1)
  .fill(0, COMMA, COMMA + 1);
const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM = [0xff, 0xfe];

// Where the scanner is between two bytes (and between two chunks).
/** Nothing since the last record delimiter: a record delimiter here ends an empty line (skipped). */
const LINE_START = 0;
/** Just after a field delimiter. */
const FIELD_START = 1;
/** Inside an unquoted field. */
const UNQUOTED = 2;
/** Inside a quoted field. */
const QUOTED = 3;
/** A quote inside a quoted field: an escaped quote if another one follows, else the closing quote. */
const QUOTE_IN_QUOTED = 4;
/** Just after a closing quote (a state the next byte is read in at once, never kept between bytes). */
const CLOSED = 5;
/** The file's first CR outside quotes: it ends a record; the record delimiter is CRLF if LF follows, else CR. */
const FIRST_CR = 6;
/** With CRLF records, a CR outside quotes: it ends the record if LF follows, else it is data. */
const CR_OF_CRLF = 7;
/** The scanner stopped: csv-parse refuses the file (or reads it as UTF-16). */
const STOPPED = 8;

// csv-parse's record delimiter: unknown until the first CR or LF outside quotes, which decides.
const DELIMITER_UNKNOWN = 0;
const DELIMITER_LF = 1;
const DELIMITER_CR = 2;
const DELIMITER_CRLF = 3;

export type ParserNeeded = 'malformed' | 'utf-16';

export class CsvRecordCounter {
  /** Records so far, the header included (empty lines are not records). */
  records = 0;
  /** Byte offset (from the file's first byte, BOM included) where the first record ends, once it has. */
  firstRecordEnd: number | undefined;
  /** Set when this counter cannot count the file: csv-parse must read it. */
  parserNeeded: ParserNeeded | undefined;

  private state = LINE_START;
  private recordDelimiter = DELIMITER_UNKNOWN;
  /** With CR_OF_CRLF: the state before the CR. */
  private beforeCr = LINE_START;
  /** Bytes seen before the current chunk. */
  private offset = 0;
  /** The file's first bytes while fewer than 3 have come: a BOM is looked for in the first 3, as csv-parse does. */
  private head: Buffer | undefined = Buffer.alloc(0);

  write(chunk: Buffer): void {
    if (this.head === undefined) {
      this.scan(chunk, 0);
      return;
    }
    const head = Buffer.concat([this.head, chunk]);
    if (head.length < 3) {
      this.head = head;
      return;
    }
    this.head = undefined;
    this.scan(head, this.bomLength(head));
  }

  /** The end of the file. */
  end(): void {
    if (this.head !== undefined) {
      // Fewer than 3 bytes in all: csv-parse looks for no BOM.
      const head = this.head;
      this.head = undefined;
      this.scan(head, 0);
    }
    switch (this.state) {
      case QUOTED:
        this.stop('malformed'); // the quote is never closed
        break;
      case CR_OF_CRLF:
        // A CR last in the file is data, but after a closing quote csv-parse wants CRLF.
        if (this.beforeCr === CLOSED) this.stop('malformed');
        else this.endRecord(this.offset);
        break;
      case FIELD_START:
      case UNQUOTED:
      case QUOTE_IN_QUOTED: // the closing quote is the file's last byte
        this.endRecord(this.offset); // the last record, with no record delimiter after it
        break;
    }
  }

  /** The length of the UTF-8 BOM that starts `head`, 0 if none; a UTF-16LE one stops the counter. */
  private bomLength(head: Buffer): number {
    const startsWith = (bytes: number[]) => bytes.every((byte, index) => head[index] === byte);
    if (startsWith(UTF8_BOM)) return UTF8_BOM.length;
    if (startsWith(UTF16LE_BOM)) this.stop('utf-16');
    return 0;
  }

  private stop(reason: ParserNeeded): void {
    this.state = STOPPED;
    this.parserNeeded = reason;
  }

  /** A record delimiter ends the line at `end`: a record, unless the line is empty. */
  private endLine(end: number): void {
    if (this.state !== LINE_START) this.endRecord(end);
    this.state = LINE_START;
  }

  private endRecord(end: number): void {
    if (this.records++ === 0) this.firstRecordEnd = end;
  }

  /** Reads `chunk` from `start`; the state machine's transitions. */
  private scan(chunk: Buffer, start: number): void {
    const length = chunk.length;
    let index = start;
    while (index < length && this.state !== STOPPED) {
      const byte = chunk[index];
      switch (this.state) {
        case QUOTED:
          // Inside quotes only a quote matters.
          while (index < length && chunk[index] !== QUOTE) index++;
          if (index < length) {
            this.state = QUOTE_IN_QUOTED;
            index++;
          }
          continue;
        case QUOTE_IN_QUOTED:
          if (byte === QUOTE) {
            this.state = QUOTED; // `""`: an escaped quote
            index++;
          } else {
            this.state = CLOSED; // the closing quote: read this byte after it
          }
          continue;
        case FIRST_CR:
          this.recordDelimiter = byte === LF ? DELIMITER_CRLF : DELIMITER_CR;
          this.state = LINE_START;
          if (byte === LF) index++; // else: read this byte as the next line's first
          continue;
        case CR_OF_CRLF:
          if (byte === LF) {
            this.state = this.beforeCr;
            this.endLine(this.offset + index + 1);
            index++;
          } else if (this.beforeCr === CLOSED) {
            this.stop('malformed');
          } else {
            this.state = UNQUOTED; // the CR was data: read this byte after it
          }
          continue;
        case LINE_START:
        case FIELD_START:
        case UNQUOTED:
          if (PLAIN[byte] === 1) {
            // Unquoted data: skip it whole.
            do index++;
            while (index < length && PLAIN[chunk[index]] === 1);
            this.state = UNQUOTED;
            continue;
          }
          this.outsideQuotes(byte, this.offset + index);
          index++;
          continue;
        default: // CLOSED
          this.outsideQuotes(byte, this.offset + index);
          index++;
      }
    }
    this.offset += length;
  }

  /** One byte outside quotes (at `position` of the file), after a delimiter, in an unquoted field or after a closing quote. */
  private outsideQuotes(byte: number, position: number): void {
    const closed = this.state === CLOSED;
    if (byte === COMMA) {
      this.state = FIELD_START;
    } else if (byte === LF) {
      if (this.recordDelimiter === DELIMITER_UNKNOWN) this.recordDelimiter = DELIMITER_LF;
      if (this.recordDelimiter === DELIMITER_LF) this.endLine(position + 1);
      else if (closed) this.stop('malformed');
      else this.state = UNQUOTED;
    } else if (byte === CR) {
      if (this.recordDelimiter === DELIMITER_UNKNOWN || this.recordDelimiter === DELIMITER_CR) {
        const first = this.recordDelimiter === DELIMITER_UNKNOWN;
        this.endLine(position + 1);
        if (first) this.state = FIRST_CR;
      } else if (this.recordDelimiter === DELIMITER_CRLF) {
        this.beforeCr = this.state;
        this.state = CR_OF_CRLF;
      } else if (closed) {
        this.stop('malformed');
      } else {
        this.state = UNQUOTED;
      }
    } else if (byte === QUOTE) {
      // A quote opens a quoted field only at the field's start.
      if (this.state === LINE_START || this.state === FIELD_START) this.state = QUOTED;
      else this.stop('malformed');
    } else if (closed && byte !== NUL) {
      this.stop('malformed'); // csv-parse lets only a NUL (its "no next byte") follow a closing quote
    } else {
      this.state = UNQUOTED;
    }
  }
}
