export declare const NGINX: string;
export declare function leakyBucketConf(o: {
  dir: string;
  port: number;
  upstreamPort: number;
  rate: number;
  burst: number;
}): string;
