print("proctord")
