import { describe, expect, it } from '@jest/globals';
import { type IndicatorChartSpec, indicatorDatasets, standardSegment } from './charts.js';

const AREA = { left: 40, right: 380, top: 10, bottom: 250 };

const spec = (values: number[], standard?: number): IndicatorChartSpec => ({
  labels: values.map((_, index) => `馆${index + 1}`),
  values,
  below: values.map((value) => standard !== undefined && value < standard),
  legend: { indicator: '人均藏书量', meets: '达到标准', below: '低于标准' },
  ...(standard === undefined ? {} : { standard: { value: standard, label: `标准 ${standard}` } }),
  format: String,
});

describe('standardSegment', () => {
  it('spans the whole plot, so one bar still has its standard drawn', () => {
    expect(standardSegment(AREA, 120.2)).toEqual({ x1: 40, x2: 380, y: 120.5 });
  });

  it('draws at the plot edges and not outside them', () => {
    expect(standardSegment(AREA, 250)?.y).toBe(250.5);
    expect(standardSegment(AREA, 10)?.y).toBe(10.5);
    expect(standardSegment(AREA, 251)).toBeUndefined();
    expect(standardSegment(AREA, 9)).toBeUndefined();
    expect(standardSegment(AREA, Number.NaN)).toBeUndefined();
  });
});

describe('indicatorDatasets', () => {
  it('splits bars by the standard and keeps a legend entry for it that draws no line itself', () => {
    const [meets, below, line, ...rest] = indicatorDatasets(spec([1.5, 0.6], 1.02));
    expect(rest).toEqual([]);
    expect(meets?.data).toEqual([1.5, null]);
    expect(below?.data).toEqual([null, 0.6]);
    expect(line).toMatchObject({ type: 'line', label: '标准 1.02', showLine: false });
    expect(line?.data).toEqual([1.02, 1.02]);
  });

  it('gives one library its standard too', () => {
    const datasets = indicatorDatasets(spec([0.62], 1.02));
    expect(datasets.map((dataset) => dataset.data)).toEqual([[null], [0.62], [1.02]]);
  });

  it('draws plain bars without a standard', () => {
    const datasets = indicatorDatasets(spec([3, 2]));
    expect(datasets).toHaveLength(1);
    expect(datasets[0]).toMatchObject({ type: 'bar', label: '人均藏书量', data: [3, 2] });
  });
});
