// One ECharts chart. ECharts is loaded on first use (its own chunk), so neither the public pages nor the rest
// of the console download it; only the modules these charts need are registered.
import { useEffect, useRef, useState } from "react";

type EChartsOption = Record<string, unknown>;
type Instance = { setOption(o: EChartsOption, notMerge?: boolean): void; resize(): void; dispose(): void };

let loading: Promise<(el: HTMLElement) => Instance> | null = null;

function loadEcharts() {
  loading ??= import("./echarts.ts").then((m) => (el: HTMLElement) => m.createChart(el) as unknown as Instance);
  return loading;
}

export function Chart({ option, height = 280, label }: { option: EChartsOption; height?: number; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<Instance | null>(null);
  const [failed, setFailed] = useState(false);
  const latest = useRef(option);
  latest.current = option;

  useEffect(() => {
    let disposed = false;
    const onResize = () => chart.current?.resize();
    loadEcharts()
      .then((init) => {
        if (disposed || !el.current) return;
        chart.current = init(el.current);
        chart.current.setOption({ animation: false, ...latest.current }, true);
        window.addEventListener("resize", onResize);
      })
      .catch(() => setFailed(true));
    return () => {
      disposed = true;
      window.removeEventListener("resize", onResize);
      chart.current?.dispose();
      chart.current = null;
    };
    // The chart is created once; later options are applied by the next effect.
  }, []);

  useEffect(() => {
    chart.current?.setOption({ animation: false, ...option }, true);
  }, [option]);

  if (failed) return <p className="muted">График не загрузился. Таблица ниже содержит те же данные.</p>;
  return <div ref={el} className="chart" role="img" aria-label={label} style={{ height }} />;
}
