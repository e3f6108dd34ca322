/** `demo-server/telemetry`: the OpenTelemetry SDK recording into memory, handed over as OTLP/JSON. */
export { type DemoTelemetry, startDemoTelemetry } from './demo-telemetry.js';
export { createOtlpRecorder, type OtlpJson, type OtlpRecorder } from './otlp-recorder.js';
export { traceContextHeaders } from './trace-context.js';
