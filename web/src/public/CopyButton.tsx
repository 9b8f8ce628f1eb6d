import { useState } from "react";

/** Copies text to the clipboard, falling back to selecting it where the Clipboard API is not allowed. */
export function CopyButton({ text, label, inputId }: { text: string; label: string; inputId?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      const input = inputId ? (document.getElementById(inputId) as HTMLInputElement | null) : null;
      input?.select();
      setState(input && document.execCommand("copy") ? "copied" : "failed");
    }
  };
  return (
    <>
      <button type="button" className="button button--secondary" onClick={copy}>
        {label}
      </button>
      <span className="copy-status" role="status">
        {state === "copied" ? "Скопировано" : state === "failed" ? "Выделите ссылку и скопируйте её вручную" : ""}
      </span>
    </>
  );
}
