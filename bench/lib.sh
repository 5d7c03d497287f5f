# bench/lib.sh - shared by bench/run.sh and bench/soak.sh (sourced, from the repo root).

# Builds the optimised binary into build-bench/.
build_bench() {
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build-bench -j"$(nproc)" >/dev/null
}

# A free loopback port.
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# Waits (up to 10 s) until the server on PORT answers /readyz.
wait_ready() {
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0; sleep 0.1; done
  return 1
}

# prep_field JSON KEY: one field of bench/prepare.mjs's output.
prep_field() { node -e "process.stdout.write(String(JSON.parse(process.argv[1])[process.argv[2]]))" "$1" "$2"; }
