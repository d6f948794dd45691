# What the benchmarks share; sourced by them, not run. It defines:
#   say TEXT            a progress line on stderr
#   srv_pin, load_pin   arrays: the server on the last CPU, the load
#                       generators on the others (BENCH_PIN=0, one CPU or no
#                       taskset: empty), so that a figure compared between
#                       two builds is not a matter of where the scheduler
#                       put whom; arrays, so that $! stays the server's pid
#   server_cpu_ms       the CPU time (user + system) of $server_pid so far,
#                       in milliseconds
#   free_port           a free TCP port on 127.0.0.1

say() { printf '==> %s\n' "$*" >&2; }

ncpu=$(nproc)
srv_pin=(); load_pin=()
if [ "${BENCH_PIN:-1}" != 0 ] && [ "$ncpu" -ge 2 ] && command -v taskset >/dev/null; then
  srv_pin=(taskset -c $((ncpu - 1))); load_pin=(taskset -c 0-$((ncpu - 2)))
fi

clk_tck=$(getconf CLK_TCK)
server_cpu_ms() { awk -v t="$clk_tck" '{ printf "%.0f", ($14 + $15) * 1000 / t }' "/proc/$server_pid/stat"; }

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
