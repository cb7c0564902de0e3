import { createVideoFrame } from "@streamlib/core";
import { blurFrame } from "@streamlib/video";
import process from "node:process";
const f = createVideoFrame({ format: "RGBA", codedWidth: 1920, codedHeight: 1080 });
for (let i = 0; i < f.data.length; i++) f.data[i] = ((i >> 2) * 7919 + (i & 3) * 31) & 255;
const t = (name: string, fn: () => void, count = 20) => {
  for (let i = 0; i < 3; i++) fn();
  const s = process.cpuUsage();
  for (let i = 0; i < count; i++) fn();
  const u = process.cpuUsage(s);
  console.log(name, ((u.user + u.system) / 1000 / count).toFixed(1), "ms");
};
for (const sigma of [1.5, 2, 3, 4, 8, 16]) {
  for (const method of ["exact", "fast"] as const) {
    t(`sigma ${sigma} ${method}`, () => blurFrame(f, { sigma, method }));
  }
}
