import { describe, expect, it } from "vitest";
import { classifyAttachment, safeFilename, sniffContentType } from "./attachments.ts";

describe("attachment names", () => {
  it("removes paths, control characters and bidirectional overrides", () => {
    expect(safeFilename("C:\\Users\\ivan\\..\\скан.pdf", 0, "application/pdf")).toBe("скан.pdf");
    expect(safeFilename("../../etc/passwd", 0, "text/plain")).toBe("passwd");
    expect(safeFilename("invoice\u202efdp.exe", 0, "application/x-msdownload")).toBe("invoicefdp.exe");
    expect(safeFilename("a\u0000b\u0007.txt", 0, "text/plain")).toBe("a_b_.txt");
    expect(safeFilename("счёт\u200b\u2067.pdf", 0, "application/pdf")).toBe("счёт.pdf");
    expect(safeFilename("...hidden", 0, "text/plain")).toBe("hidden");
  });

  it("names a nameless attachment by its position and sniffed type", () => {
    expect(safeFilename(undefined, 2, "image/png")).toBe("attachment-3.png");
    expect(safeFilename("", 0, "image/jpeg")).toBe("attachment-1.jpg");
    expect(safeFilename("   ", 0, "application/octet-stream")).toBe("attachment-1.bin");
  });

  it("bounds the length", () => {
    expect(safeFilename(`${"я".repeat(500)}.pdf`, 0, "application/pdf")).toBe(`${"я".repeat(196)}.pdf`);
  });
});

describe("attachment types", () => {
  it("sniffs from content, not from the name", async () => {
    expect(await sniffContentType(Buffer.from("%PDF-1.7\n"))).toBe("application/pdf");
    expect(await sniffContentType(Buffer.from("Обычный текст\r\n"))).toBe("text/plain");
    expect(await sniffContentType(Buffer.from([0, 1, 2, 3, 250]))).toBe("application/octet-stream");
  });

  it("flags executables by content or extension, archives, and PDFs that are not PDFs", () => {
    expect(classifyAttachment("report.pdf", "application/x-msdownload", "application/pdf")).toBe("executable");
    expect(classifyAttachment("run.ps1", "text/plain", "text/plain")).toBe("executable");
    expect(classifyAttachment("docs.zip", "application/zip", "application/zip")).toBe("archive");
    expect(classifyAttachment("docs.7z", "application/octet-stream", "application/octet-stream")).toBe("archive");
    expect(classifyAttachment("scan.pdf", "image/jpeg", "application/pdf")).toBe("type_mismatch");
    expect(
      classifyAttachment(
        "Заявление.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/octet-stream",
      ),
    ).toBeUndefined();
    expect(classifyAttachment("scan.pdf", "application/pdf", "application/pdf")).toBeUndefined();
  });
});
