/** Port: answers once the service's dependencies can serve requests; throws otherwise. */
export interface ReadinessProbe {
  checkReady(): Promise<void>;
}
