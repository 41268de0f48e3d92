//===- PacketExpr.cpp - Layout expressions as C ---------------------------===//

#include "PacketExpr.h"

#include <algorithm>
#include <cstdio>

namespace scrcc {

std::string cHex(uint64_t V) {
  char B[32];
  std::snprintf(B, sizeof B, "0x%llxULL", (unsigned long long)V);
  return B;
}

std::string cMask(unsigned Bits) {
  return cHex(Bits >= 64 ? ~0ULL : (1ULL << Bits) - 1);
}

std::string packetExprC(const scr::Expr &E, uint64_t InBounds) {
  using Op = scr::Expr::Op;
  auto A = [&](unsigned I) { return packetExprC(*E.Args[I], InBounds); };
  auto Bin = [&](const char *O) {
    return "(" + A(0) + " " + O + " " + A(1) + ")";
  };
  auto Cmp = [&](const char *O) { return "(__u64)" + Bin(O); };
  auto SCmp = [&](const char *O) {
    return "(__u64)((__s64)" + A(0) + " " + O + " (__s64)" + A(1) + ")";
  };
  switch (E.K) {
  case Op::Const:
    return cHex(E.Value);
  case Op::Len:
    return "scr_len";
  case Op::Pkt:
    if (E.Args[0]->K == Op::Const && E.Args[0]->Value + E.Bytes <= InBounds)
      return "scr_pkt_in(scr_p, " + A(0) + ", " + std::to_string(E.Bytes) + ")";
    return "scr_pkt(scr_p, scr_end, " + A(0) + ", " + std::to_string(E.Bytes) +
           ")";
  case Op::Add:
    return Bin("+");
  case Op::Sub:
    return Bin("-");
  case Op::Mul:
    return Bin("*");
  case Op::And:
    return Bin("&");
  case Op::Or:
    return Bin("|");
  case Op::Xor:
    return Bin("^");
  case Op::Shl:
    return "scr_shl(" + A(0) + ", " + A(1) + ")";
  case Op::Shr:
    return "scr_shr(" + A(0) + ", " + A(1) + ")";
  case Op::Eq:
    return Cmp("==");
  case Op::Ne:
    return Cmp("!=");
  case Op::Ult:
    return Cmp("<");
  case Op::Ule:
    return Cmp("<=");
  case Op::Ugt:
    return Cmp(">");
  case Op::Uge:
    return Cmp(">=");
  case Op::Slt:
    return SCmp("<");
  case Op::Sle:
    return SCmp("<=");
  case Op::Sgt:
    return SCmp(">");
  case Op::Sge:
    return SCmp(">=");
  case Op::LAnd:
    return Cmp("&&");
  case Op::LOr:
    return Cmp("||");
  case Op::Not:
    return "(~" + A(0) + ")";
  case Op::LNot:
    return "(__u64)(!" + A(0) + ")";
  case Op::Ite:
    return "(" + A(0) + " ? " + A(1) + " : " + A(2) + ")";
  }
  return "0";
}

uint64_t fixedLoadsEnd(const scr::Expr &E) {
  uint64_t End = 0;
  if (E.K == scr::Expr::Op::Pkt && E.Args[0]->K == scr::Expr::Op::Const &&
      E.Args[0]->Value < 0xffff)
    End = E.Args[0]->Value + E.Bytes;
  for (const scr::ExprRef &A : E.Args)
    End = std::max(End, fixedLoadsEnd(*A));
  return End;
}

bool usesLength(const scr::Expr &E) {
  if (E.K == scr::Expr::Op::Len)
    return true;
  for (const scr::ExprRef &A : E.Args)
    if (usesLength(*A))
      return true;
  return false;
}

std::string packetExprHelpersC() {
  return R"C(/* The operations of layout expressions (scr::Expr semantics). */
static __always_inline __attribute__((unused)) __u64 scr_shl(__u64 a, __u64 s)
{
	return s >= 64 ? 0 : a << s;
}

static __always_inline __attribute__((unused)) __u64 scr_shr(__u64 a, __u64 s)
{
	return s >= 64 ? 0 : a >> s;
}

/* Big-endian load of `bytes` bytes at `off` of a packet known to hold them. */
static __always_inline __attribute__((unused)) __u64 scr_pkt_in(const __u8 *p,
								 __u32 off,
								 __u32 bytes)
{
	__u64 v = 0;

	for (__u32 i = 0; i < bytes; i++)
		v = (v << 8) | p[off + i];
	return v;
}

/* Big-endian load of `bytes` bytes at `off` of the original packet; bytes
 * past its end read as zero. */
static __always_inline __attribute__((unused)) __u64 scr_pkt(const __u8 *p,
							      const void *end,
							      __u64 off, __u32 bytes)
{
	__u64 v = 0;

	for (__u32 i = 0; i < bytes; i++) {
		__u64 at = off + i;
		__u8 b = 0;

		if (at >= off && at < 0xffff) {
			const __u8 *q = p + at;

			if ((const void *)(q + 1) <= end)
				b = *q;
		}
		v = (v << 8) | b;
	}
	return v;
}

)C";
}

void substitute(std::string &S, const std::string &From,
                const std::string &To) {
  for (size_t P = S.find(From); P != std::string::npos;
       P = S.find(From, P + To.size()))
    S.replace(P, From.size(), To);
}

} // namespace scrcc
