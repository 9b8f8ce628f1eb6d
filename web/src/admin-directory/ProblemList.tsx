// The checker's findings as a table: level, what is wrong, where (line, entry, field) and the message.
import { placeOf, problemTitle, sentence } from "./problemText.ts";
import type { Problem } from "./types.ts";

export function ProblemList({ problems, caption }: { problems: Problem[]; caption: string }) {
  if (problems.length === 0) return null;
  return (
    <table className="dir-problems">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Уровень</th>
          <th scope="col">Замечание</th>
          <th scope="col">Где</th>
          <th scope="col">Сообщение</th>
        </tr>
      </thead>
      <tbody>
        {problems.map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: two problems may share code, entry and field
          <tr key={`${p.code}-${p.entry}-${p.field}-${i}`} className={`dir-problems__${p.severity}`}>
            <td>{p.severity === "error" ? "ошибка" : "предупреждение"}</td>
            <td>{problemTitle(p)}</td>
            <td>{placeOf(p)}</td>
            <td>{sentence(p.message)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Problems of one directory entry, grouped by field (`region` and `regions` are one field in the form). */
export function problemsByField(problems: Problem[], entry: string): Map<string, Problem[]> {
  const map = new Map<string, Problem[]>();
  for (const p of problems) {
    if (p.entry !== entry) continue;
    const field = p.field === "regions" ? "region" : (p.field ?? "");
    map.set(field, [...(map.get(field) ?? []), p]);
  }
  return map;
}
