// The supervisor's wallboard: calls waiting per queue and the longest wait, operators on calls and free,
// answered and abandoned today and the service level, refreshed by the call stream and every few seconds.
import { useQueryClient } from "@tanstack/react-query";
import { $api, failureOf } from "../api/client.ts";
import { useConsole } from "../console/session.ts";
import { useConsoleFeed } from "../live.ts";
import { useTitle } from "../router.tsx";
import "./phone.css";

// GET /api/v1/phone/wallboard leaves its response schema open: these are the figures the board reads.
type Queue = {
  queue: string;
  waiting: number;
  longestWaitSeconds: number;
  answeredToday: number;
  abandonedToday: number;
  serviceLevel: number | null;
};
type Board = {
  at: string;
  serviceLevelSeconds: number;
  queues: Queue[];
  total: Queue;
  operators: { onCalls: Array<{ id: number; name: string }>; free: Array<{ id: number; name: string }> };
};

const REFRESH_MS = 5000;
const ALARM_WAIT_SECONDS = 120;

function wait(seconds: number) {
  const m = Math.floor(seconds / 60);
  return `${m}:${String(seconds % 60).padStart(2, "0")}`;
}

export function WallboardPage() {
  useTitle("Табло очередей — Консоль поддержки");
  const { departments } = useConsole();
  const queries = useQueryClient();
  const read = $api.useQuery("get", "/api/v1/phone/wallboard", {}, { refetchInterval: REFRESH_MS });
  const board = (read.data as Board | undefined) ?? null;
  const error = failureOf(read)?.message ?? null;
  const live = useConsoleFeed(
    "phone",
    () => void queries.invalidateQueries({ queryKey: ["get", "/api/v1/phone/wallboard"] }),
  );

  const name = (q: string) => departments.find((d) => d.code === q)?.name ?? q;
  return (
    <div>
      <h1>Табло очередей</h1>
      <p className="muted" role="status">
        {live === "live" ? "Обновляется в реальном времени" : "Нет связи — показаны последние данные"}
      </p>
      {error && <p className="alert alert--error">{error}</p>}
      {board && (
        <>
          <div className="wallboard-totals">
            <div>
              Ожидают <strong data-testid="waiting">{board.total.waiting}</strong>
            </div>
            <div>
              Дольше всех <strong>{wait(board.total.longestWaitSeconds)}</strong>
            </div>
            <div>
              Принято сегодня <strong>{board.total.answeredToday}</strong>
            </div>
            <div>
              Потеряно сегодня <strong>{board.total.abandonedToday}</strong>
            </div>
            <div>
              Уровень сервиса ({board.serviceLevelSeconds} с){" "}
              <strong>{board.total.serviceLevel === null ? "—" : `${board.total.serviceLevel}%`}</strong>
            </div>
            <div>
              На линии / свободны{" "}
              <strong>
                {board.operators.onCalls.length} / {board.operators.free.length}
              </strong>
            </div>
          </div>
          <table className="wallboard">
            <caption className="visually-hidden">Очереди</caption>
            <thead>
              <tr>
                <th scope="col">Очередь</th>
                <th scope="col">Ожидают</th>
                <th scope="col">Дольше всех</th>
                <th scope="col">Принято</th>
                <th scope="col">Потеряно</th>
                <th scope="col">Уровень сервиса</th>
              </tr>
            </thead>
            <tbody>
              {board.queues.map((q) => (
                <tr key={q.queue}>
                  <th scope="row">{name(q.queue)}</th>
                  <td>{q.waiting}</td>
                  <td className={q.longestWaitSeconds >= ALARM_WAIT_SECONDS ? "wallboard__alarm" : undefined}>
                    {wait(q.longestWaitSeconds)}
                  </td>
                  <td>{q.answeredToday}</td>
                  <td>{q.abandonedToday}</td>
                  <td>{q.serviceLevel === null ? "—" : `${q.serviceLevel}%`}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Операторы</h2>
          <p>На звонках: {board.operators.onCalls.map((u) => u.name).join(", ") || "никого"}</p>
          <p>Свободны (на смене): {board.operators.free.map((u) => u.name).join(", ") || "никого"}</p>
        </>
      )}
    </div>
  );
}
