/* vfork_x86_64.S — the vfork entry: the child must not return through a frame of ours. */
#ifdef __x86_64__
/*
 * A C wrapper cannot vfork: the child would return from the wrapper and
 * the parent would later return through the same, overwritten, frame.  So
 * (like musl) the return address is popped into %rdx, which the system call
 * preserves in both processes, and pushed back after it; the C hooks run
 * as ordinary calls before (FORK round trip) and after (child: its own
 * state; parent: BIND).  Anything the child writes below the caller's
 * stack pointer is dead to the parent, which pushes its own return address
 * again when it resumes.
 */
	.text
	.globl	vfork
	.type	vfork, @function
vfork:
	.cfi_startproc
	endbr64
	subq	$8, %rsp		/* align the stack for the call */
	.cfi_adjust_cfa_offset 8
	call	shim_vfork_pre
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	testl	%eax, %eax
	js	1f			/* -1: refused, errno set */
	popq	%rdx			/* our return address */
	.cfi_adjust_cfa_offset -8
	.cfi_register rip, rdx
	movl	$58, %eax		/* SYS_vfork */
	syscall
	pushq	%rdx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset rip, 0
	movq	%rax, %rdi
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	call	shim_vfork_post
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	ret
1:	movq	$-1, %rax
	ret
	.cfi_endproc
	.size	vfork, .-vfork

	.section .note.GNU-stack, "", @progbits
#endif
