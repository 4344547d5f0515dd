import PDFDocument from 'pdfkit';
import { createRequire } from 'node:module';
import { visualWords } from './bidi.ts';
import type { ReportDocument, ReportRow, ReportTable } from './document.ts';

/**
 * A report as an A4 PDF. DejaVu Sans is embedded (subset): one face with Latin,
 * Cyrillic and the Arabic letters Persian uses, so every language prints with real
 * glyphs and pdftotext reads the text back. Right-to-left reports mirror the page:
 * labels on the right, columns from the right, text ordered by the bidi algorithm.
 */

const require = createRequire(import.meta.url);
const REGULAR = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

const MARGIN = 50;
const PAGE = { width: 595.28, height: 841.89 };
const WIDTH = PAGE.width - 2 * MARGIN;
const LABEL_SHARE = 0.45;

type Pdf = PDFKit.PDFDocument;

class Page {
  private y = MARGIN;

  constructor(
    private readonly pdf: Pdf,
    private readonly direction: 'ltr' | 'rtl',
  ) {}

  /**
   * Draws one line of text inside [x, x + width], at the page's start edge (left, or
   * right when right-to-left). A value is ordered by its own first strong letter (a
   * Latin name stays left-to-right on a Persian page); other text by the page's direction.
   */
  private line(text: string, x: number, width: number, size: number, bold: boolean, value = false): void {
    const { pdf } = this;
    pdf.font(bold ? 'bold' : 'regular').fontSize(size);
    const space = pdf.widthOfString(' ');
    const words = visualWords(text, value ? 'auto' : this.direction);
    const widths = words.map((word) => pdf.widthOfString(word.text));
    const total = words.reduce(
      (sum, word, index) => sum + word.spacesBefore * space + (widths[index] ?? 0),
      0,
    );
    let cursor = this.direction === 'rtl' ? x + width - total : x;
    words.forEach((word, index) => {
      cursor += word.spacesBefore * space;
      pdf.text(word.text, cursor, this.y, { lineBreak: false });
      cursor += widths[index] ?? 0;
    });
  }

  /**
   * A word wider than `width` in pieces that fit: a transaction id or an address has no
   * space to break at, and a cut one must still be whole on the page.
   */
  private pieces(word: string, width: number): string[] {
    if (this.pdf.widthOfString(word) <= width) {
      return [word];
    }
    const pieces: string[] = [];
    let piece = '';
    for (const char of word) {
      if (piece !== '' && this.pdf.widthOfString(piece + char) > width) {
        pieces.push(piece);
        piece = '';
      }
      piece += char;
    }
    return piece === '' ? pieces : [...pieces, piece];
  }

  /** Breaks text into lines that fit `width`, by words in their logical order. */
  private wrap(text: string, width: number, size: number, bold: boolean): string[] {
    this.pdf.font(bold ? 'bold' : 'regular').fontSize(size);
    const lines: string[] = [];
    let current = '';
    for (const word of text.split(/\s+/).flatMap((whole) => this.pieces(whole, width))) {
      const candidate = current === '' ? word : `${current} ${word}`;
      if (current !== '' && this.pdf.widthOfString(candidate) > width) {
        lines.push(current);
        current = word;
      } else {
        current = candidate;
      }
    }
    if (current !== '') {
      lines.push(current);
    }
    return lines;
  }

  private room(height: number): void {
    if (this.y + height > PAGE.height - MARGIN) {
      this.pdf.addPage();
      this.y = MARGIN;
    }
  }

  /** Column `index` of `count` equal columns, counted from the start edge. */
  private column(index: number, count: number): { x: number; width: number } {
    const width = WIDTH / count;
    const fromStart = this.direction === 'rtl' ? count - 1 - index : index;
    return { x: MARGIN + fromStart * width, width };
  }

  paragraph(text: string, size: number, bold = false, gapAfter = 4): void {
    for (const line of this.wrap(text, WIDTH, size, bold)) {
      this.room(size * 1.4);
      this.line(line, MARGIN, WIDTH, size, bold);
      this.y += size * 1.4;
    }
    this.y += gapAfter;
  }

  rows(rows: readonly ReportRow[]): void {
    const size = 10;
    const labelWidth = WIDTH * LABEL_SHARE;
    const valueWidth = WIDTH - labelWidth;
    const labelX = this.direction === 'rtl' ? MARGIN + valueWidth : MARGIN;
    const valueX = this.direction === 'rtl' ? MARGIN : MARGIN + labelWidth;
    for (const row of rows) {
      const value = row.unit === '' ? row.value.shown : `${row.value.shown} ${row.unit}`;
      const labelLines = this.wrap(row.label, labelWidth - 8, size, false);
      const valueLines = this.wrap(value, valueWidth, size, false);
      const lines = Math.max(labelLines.length, valueLines.length);
      this.room(lines * size * 1.4);
      const top = this.y;
      labelLines.forEach((line, index) => {
        this.y = top + index * size * 1.4;
        this.line(line, labelX, labelWidth - 8, size, false);
      });
      valueLines.forEach((line, index) => {
        this.y = top + index * size * 1.4;
        this.line(line, valueX, valueWidth, size, false, true);
      });
      this.y = top + lines * size * 1.4;
    }
    this.y += 6;
  }

  table(table: ReportTable, empty: string): void {
    const size = 9;
    // A title is never left at the foot of a page without its header and first row.
    this.room(11 * 1.4 + 2 + 4 * size * 1.4);
    this.paragraph(table.title, 11, true, 2);
    if (table.rows.length === 0) {
      this.paragraph(empty, size, false, 6);
      return;
    }
    const draw = (cells: readonly string[], header: boolean): void => {
      const wrapped = cells.map((cell, index) =>
        this.wrap(cell, this.column(index, cells.length).width - 6, size, header),
      );
      const lines = Math.max(...wrapped.map((cell) => cell.length));
      this.room(lines * size * 1.4);
      const top = this.y;
      wrapped.forEach((cellLines, index) => {
        const { x, width } = this.column(index, cells.length);
        cellLines.forEach((line, at) => {
          this.y = top + at * size * 1.4;
          this.line(line, x, width - 6, size, header, !header);
        });
      });
      this.y = top + lines * size * 1.4 + 2;
    };
    const grid = table.columns.flatMap((column, index) => (column.wide ? [] : [index]));
    draw(
      grid.map((index) => table.columns[index]?.label ?? ''),
      true,
    );
    for (const row of table.rows) {
      draw(
        grid.map((index) => row[index]?.shown ?? ''),
        false,
      );
      table.columns.forEach((column, index) => {
        if (column.wide) {
          this.paragraph(`${column.label}: ${row[index]?.shown ?? ''}`, size, false, 0);
        }
      });
    }
    this.y += 6;
  }
}

export async function reportPdf(document: ReportDocument, issuedAtMs: number): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    lang: document.language,
    info: {
      Title: document.title,
      Producer: 'hashwatt',
      CreationDate: new Date(issuedAtMs),
    },
  });
  pdf.registerFont('regular', REGULAR);
  pdf.registerFont('bold', BOLD);
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    pdf.on('error', reject);
  });
  const page = new Page(pdf, document.direction);
  page.paragraph(document.title, 16, true, 8);
  page.rows(document.header);
  for (const section of document.sections) {
    page.paragraph(section.heading, 13, true, 4);
    page.rows(section.rows);
    for (const table of section.tables) {
      page.table(table, document.none);
    }
  }
  page.paragraph(document.footer, 8, false, 0);
  // Whole lines: a fingerprint does not wrap, and a reader copies it from here.
  for (const row of document.signingKey) {
    page.paragraph(`${row.label}: ${row.value.shown}`, 8, false, 0);
  }
  pdf.end();
  return done;
}
